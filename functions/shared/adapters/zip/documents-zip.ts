import { PassThrough, type Readable } from 'node:stream';
import { DateTime } from 'luxon';
import { ZipFile } from 'yazl';
import { ARCHIVE_CONTENT_TYPE } from '../../domain/filing/documents-archive.ts';
import type { ArchiveContents, DocumentStore, DocumentsArchiveWriter } from '../../ports.ts';

/** Where exported archives are written; the bucket's lifecycle expires them after a day. */
export const EXPORTS_PREFIX = 'exports/documents';

/** Regular file, rw-r--r--: what an unpacked document should be. */
const FILE_MODE = 0o100644;

/**
 * An entry's time as the ZIP keeps it. DOS times have no zone, and yazl writes the process's
 * local time (UTC in Lambda), so Windows would show a file filed at 09:00 in Shanghai as 01:00.
 * The entry gets the wall-clock time in `zone` instead (a Date whose local fields are that time),
 * and no Info-ZIP UTC field (`forceDosTimestamp`), which readers would prefer and which would
 * then be off by the zone's offset: every reader shows the campaign's time.
 */
function zipTime(iso: string, zone: string): { mtime: Date; forceDosTimestamp: true } {
  const wall = DateTime.fromISO(iso, { zone });
  return {
    mtime: new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second),
    forceDosTimestamp: true,
  };
}

/**
 * Objects opened ahead of the one being written. Each open is a GET whose first byte takes tens
 * of milliseconds in S3: opened one by one, a thousand small files would spend most of their time
 * waiting. An opened body that is not read yet holds only its socket's buffers (back-pressure),
 * so memory stays bounded by this count, not by the files' sizes.
 */
export const OPEN_AHEAD = 4;

/**
 * `contents` as one ZIP stream, written by yazl: UTF-8 names (yazl always sets the language
 * encoding flag, bit 11, so Chinese names survive), ZIP64 where an entry or the archive needs it,
 * and each stored file piped through in turn with back-pressure (`addReadStreamLazy`, with the
 * next `OPEN_AHEAD` objects already opened), so memory holds a few chunks of a few files,
 * whatever the total. Documents are stored as they are (PDF, DOCX, XLSX, JPEG and PNG are
 * compressed already, and storing costs no CPU); the small texts (the manifest) are deflated.
 *
 * Any failure (a missing object, a read that breaks off, a size unlike the record's) errors the
 * returned stream, so a consumer (an S3 upload, a file) fails rather than keep a truncated ZIP.
 */
export function zipStream(contents: ArchiveContents, open: (key: string) => Promise<Readable>): Readable {
  const zip = new ZipFile();
  const out = new PassThrough();
  const { entries } = contents;
  /** Bodies opened (or being opened) and not yet handed to yazl, by entry index. */
  const opened = new Map<number, Promise<Readable>>();
  const live = new Set<Readable>();
  const fail = (error: unknown) => {
    for (const stream of live) stream.destroy();
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const start = (index: number) => {
    const entry = entries[index];
    if (!entry || opened.has(index) || out.destroyed) return;
    const body = open(entry.fileKey).then(
      (stream) => {
        live.add(stream);
        stream.once('close', () => live.delete(stream));
        // yazl listens for no errors on a source: one that breaks off must fail the archive.
        stream.once('error', (error) => fail(new Error(`reading ${entry.fileKey} failed`, { cause: error })));
        if (out.destroyed) stream.destroy();
        return stream;
      },
      (error: unknown) => {
        const failure = new Error(`opening ${entry.fileKey} failed`, { cause: error });
        fail(failure);
        throw failure;
      },
    );
    // Its failure is handled above; the entry's own turn may never come.
    body.catch(() => undefined);
    opened.set(index, body);
  };
  zip.on('error', fail);
  // A consumer that gives up (an aborted upload) stops the reads in hand.
  out.once('close', () => {
    if (!out.readableEnded) for (const stream of live) stream.destroy();
  });
  for (const text of contents.texts) {
    zip.addBuffer(Buffer.from(text.content, 'utf8'), text.path, {
      ...zipTime(text.modifiedAt, contents.timeZone),
      mode: FILE_MODE,
      compress: true,
    });
  }
  entries.forEach((entry, index) => {
    const options = {
      ...zipTime(entry.modifiedAt, contents.timeZone),
      mode: FILE_MODE,
      compress: false,
      size: entry.size,
    };
    zip.addReadStreamLazy(entry.path, options, (callback) => {
      for (let ahead = index; ahead <= index + OPEN_AHEAD; ahead += 1) start(ahead);
      const body = opened.get(index);
      opened.delete(index);
      body?.then(
        (stream) => {
          if (!out.destroyed) callback(null, stream);
        },
        () => undefined,
      );
    });
  });
  zip.end();
  const output = zip.outputStream as Readable;
  output.once('error', fail);
  output.pipe(out);
  return out;
}

/**
 * Streams an archive into the document bucket under `exports/`, a fresh key each time, in 5 MB
 * multipart parts (lib-storage's `Upload`, four parts in flight): memory stays near 25 MB
 * however large the archive. A failure aborts the multipart upload, so no partial ZIP is left.
 */
export class S3DocumentsArchiveWriter implements DocumentsArchiveWriter {
  constructor(private readonly documents: Pick<DocumentStore, 'open' | 'upload'>) {}

  async write(contents: ArchiveContents): Promise<{ key: string; size: number }> {
    const body = zipStream(contents, (key) => this.documents.open(key));
    // The archive's own failure is the one to report: the upload may fail after it for its own
    // reasons (s3rver, for one, refuses to abort a multipart upload).
    let cause: Error | undefined;
    body.once('error', (error) => {
      cause = error;
    });
    try {
      const stored = await this.documents.upload({
        prefix: EXPORTS_PREFIX,
        body,
        contentType: ARCHIVE_CONTENT_TYPE,
      });
      return { key: stored.key, size: stored.size };
    } catch (error) {
      throw cause ?? error;
    }
  }
}
