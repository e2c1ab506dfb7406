// Streams one documents archive and prints its time and peak memory as JSON. Run in its own
// process (by bench/documents-zip.ts) so that the peak RSS belongs to the archive alone.
// Usage: write-documents-zip.ts <bucket> <contents.json> s3|<file.zip>
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { S3DocumentStore } from '../../functions/shared/adapters/s3/document-store.ts';
import { S3DocumentsArchiveWriter, zipStream } from '../../functions/shared/adapters/zip/documents-zip.ts';
import type { ArchiveContents } from '../../functions/shared/ports.ts';

const [bucket, contentsFile, target] = process.argv.slice(2);
if (!bucket || !contentsFile || !target)
  throw new Error('usage: write-documents-zip.ts <bucket> <contents.json> s3|<file>');
const contents = JSON.parse(await readFile(contentsFile, 'utf8')) as ArchiveContents;
const documents = new S3DocumentStore(new S3Client({ forcePathStyle: true }), bucket);
const peakBefore = process.resourceUsage().maxRSS;
const started = performance.now();
let size: number;
if (target === 's3') {
  size = (await new S3DocumentsArchiveWriter(documents).write(contents)).size;
} else {
  // What `campaign export documents` (issue 14) does: the same stream, into a file.
  await pipeline(
    zipStream(contents, (key) => documents.open(key)),
    createWriteStream(target),
  );
  size = (await stat(target)).size;
}
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    size,
    peakRssBeforeMiB: Math.round(peakBefore / 1024),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
