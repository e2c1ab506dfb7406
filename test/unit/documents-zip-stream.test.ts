import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { OPEN_AHEAD, zipStream } from '../../functions/shared/adapters/zip/documents-zip.ts';
import type { ArchiveContents } from '../../functions/shared/ports.ts';

/** `count` entries of `size` bytes each, entry i filled with byte i. */
function contents(count: number, size: number): ArchiveContents {
  return {
    timeZone: 'Asia/Shanghai',
    texts: [{ path: '清单.csv', content: '\ufeff区县\r\n', modifiedAt: '2018-01-12T01:00:00.000Z' }],
    entries: Array.from({ length: count }, (_, i) => ({
      path: `区县/单位 ${i}/方案-${i}.pdf`,
      fileKey: `files/${i}`,
      size,
      modifiedAt: '2018-01-12T01:00:00.000Z',
    })),
  };
}

/** A store whose objects are generated, counting how many are being opened or read at once. */
function fakeStore(size: number, fault?: { key: string; when: 'open' | 'read' }) {
  let open = 0;
  let peak = 0;
  const opened: string[] = [];
  return {
    opened,
    peak: () => peak,
    /** Counted from the request on: a GET under way holds a connection as an open body does. */
    open: async (key: string): Promise<Readable> => {
      open += 1;
      peak = Math.max(peak, open);
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (fault?.key === key && fault.when === 'open') throw new Error('NoSuchKey');
      opened.push(key);
      const byte = Number(key.split('/')[1]);
      let sent = 0;
      const stream = new Readable({
        read() {
          if (fault?.key === key && fault.when === 'read' && sent > 0) {
            this.destroy(new Error('connection reset'));
            return;
          }
          const chunk = Math.min(64 * 1024, size - sent);
          sent += chunk;
          this.push(chunk > 0 ? Buffer.alloc(chunk, byte) : null);
        },
      });
      stream.once('close', () => {
        open -= 1;
      });
      return stream;
    },
  };
}

describe('the streamed ZIP writer', () => {
  it('writes every entry in order with its bytes, opening at most a few objects ahead', async () => {
    const size = 300 * 1024;
    const store = fakeStore(size);
    const bytes = await buffer(zipStream(contents(30, size), store.open));
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
    const names = Object.keys(zip.files);
    expect(names[0]).toBe('清单.csv');
    expect(names.slice(1)).toEqual(Array.from({ length: 30 }, (_, i) => `区县/单位 ${i}/方案-${i}.pdf`));
    for (let i = 0; i < 30; i += 1) {
      const body = await zip.file(`区县/单位 ${i}/方案-${i}.pdf`)?.async('nodebuffer');
      expect(body?.equals(Buffer.alloc(size, i))).toBe(true);
    }
    expect(store.opened).toEqual(Array.from({ length: 30 }, (_, i) => `files/${i}`));
    expect(store.peak()).toBeGreaterThan(1);
    expect(store.peak()).toBeLessThanOrEqual(OPEN_AHEAD + 1);
  });

  it('fails the stream when an object opened ahead is missing, and when a read breaks off', async () => {
    const missing = fakeStore(1024, { key: 'files/3', when: 'open' });
    await expect(buffer(zipStream(contents(10, 1024), missing.open))).rejects.toThrow(
      'opening files/3 failed',
    );
    const broken = fakeStore(200 * 1024, { key: 'files/1', when: 'read' });
    await expect(buffer(zipStream(contents(5, 200 * 1024), broken.open))).rejects.toThrow(
      'reading files/1 failed',
    );
  });

  it('writes a valid archive of the texts alone when there is nothing else', async () => {
    const zip = await JSZip.loadAsync(await buffer(zipStream(contents(0, 0), fakeStore(0).open)));
    expect(Object.keys(zip.files)).toEqual(['清单.csv']);
  });
});
