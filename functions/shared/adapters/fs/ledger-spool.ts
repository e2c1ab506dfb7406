import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerRow } from '../../domain/digest.ts';
import { LEDGER_BUCKETS, type LedgerSpool, ledgerBucket } from '../../domain/hazard-pass.ts';

const finish = (stream: WriteStream) =>
  new Promise<void>((resolve, reject) => {
    if (stream.closed) resolve();
    else stream.once('error', reject).end(resolve);
  });

/**
 * A ledger spool on local disk: one JSON-lines file per scope and bucket, in a fresh directory
 * under the OS temp directory (Lambda's /tmp). A province's ledger (hundreds of MB as text) stays
 * out of memory. Rows are appended during the hazard pass and read after it; the first read
 * closes the files for writing.
 */
export async function fileSpool(parent = tmpdir()): Promise<LedgerSpool & { dispose(): Promise<void> }> {
  const root = await mkdtemp(join(parent, 'ledger-'));
  const files = new Map<string, WriteStream>();
  const path = (scope: string, bucket: number) => join(root, `${encodeURIComponent(scope)}.${bucket}.jsonl`);
  let sealed: Promise<unknown> | null = null;
  // A row goes to two scopes (the office's and its district's): serialise it once.
  let last: { row: LedgerRow; line: string } | null = null;
  return {
    async append(scope, row) {
      if (sealed) throw new Error('ledger spool: rows appended after reading began');
      const file = path(scope, ledgerBucket(row));
      let out = files.get(file);
      if (!out) {
        out = createWriteStream(file);
        files.set(file, out);
      }
      if (last?.row !== row) last = { row, line: `${JSON.stringify(row)}\n` };
      if (!out.write(last.line)) await once(out, 'drain');
    },
    async *rows(scope) {
      sealed ??= Promise.all([...files.values()].map(finish));
      await sealed;
      for (let bucket = 0; bucket < LEDGER_BUCKETS; bucket += 1) {
        const file = path(scope, bucket);
        if (!files.has(file)) continue;
        const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) if (line !== '') yield JSON.parse(line) as LedgerRow;
      }
    },
    async dispose() {
      await Promise.allSettled([...files.values()].map(finish));
      await rm(root, { recursive: true, force: true });
    },
  };
}
