import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LEDGER_BUCKETS, ledgerBucket } from '../../domain/report/hazard-pass.ts';
import type { LedgerRow, LedgerSpool } from '../../domain/report/model.ts';

const finish = (stream: WriteStream) =>
  new Promise<void>((resolve, reject) => {
    if (stream.closed) resolve();
    else stream.once('error', reject).end(resolve);
  });

/**
 * Rows held in memory before the spool spills to disk: about 30 MB of rows. Each hazard is two
 * rows (the office's ledger and its district's), so up to 10,000 hazards never touch the disk;
 * a city of 20,000 spills, at a cost of a fraction of a second (bench/RESULTS.md).
 */
export const MEMORY_ROWS = 20_000;

/**
 * A ledger spool that holds rows in memory up to `memoryRows`, then spills them, and every row
 * after, to disk: one JSON-lines file per scope and bucket, in a fresh directory under the OS
 * temp directory (Lambda's /tmp). A city's ledger never touches the disk; a province's (hundreds
 * of MB as text) stays out of memory. Rows are appended during the hazard pass and read after it;
 * the first read closes the files for writing.
 */
export async function fileSpool(
  options: { parent?: string; memoryRows?: number } = {},
): Promise<LedgerSpool & { dispose(): Promise<void> }> {
  const memoryRows = options.memoryRows ?? MEMORY_ROWS;
  const held = new Map<string, LedgerRow[]>();
  const files = new Map<string, WriteStream>();
  let root: string | null = null;
  let heldRows = 0;
  let sealed: Promise<unknown> | null = null;
  let disposed = false;
  // A write error (a full /tmp, say) fails the next append or read, not the process.
  let failure: Error | null = null;
  const check = () => {
    if (disposed) throw new Error('ledger spool: used after dispose');
    if (failure) throw failure;
  };
  const keyOf = (scope: string, bucket: number) => `${encodeURIComponent(scope)}.${bucket}`;
  // A row goes to two scopes (the office's and its district's): serialise it once.
  let last: { row: LedgerRow; line: string } | null = null;

  const write = async (key: string, row: LedgerRow) => {
    let out = files.get(key);
    if (!out) {
      out = createWriteStream(join(root as string, `${key}.jsonl`));
      out.on('error', (error) => {
        failure ??= error;
      });
      files.set(key, out);
    }
    if (last?.row !== row) last = { row, line: `${JSON.stringify(row)}\n` };
    if (!out.write(last.line)) await once(out, 'drain');
  };

  return {
    async append(scope, row) {
      check();
      if (sealed) throw new Error('ledger spool: rows appended after reading began');
      const key = keyOf(scope, ledgerBucket(row));
      if (root === null && heldRows < memoryRows) {
        const rows = held.get(key);
        if (rows) rows.push(row);
        else held.set(key, [row]);
        heldRows += 1;
        return;
      }
      if (root === null) {
        root = await mkdtemp(join(options.parent ?? tmpdir(), 'ledger-'));
        if (disposed) {
          await rm(root, { recursive: true, force: true });
          check();
        }
        for (const [heldKey, rows] of held) for (const heldRow of rows) await write(heldKey, heldRow);
        held.clear();
      }
      await write(key, row);
    },
    async *rows(scope) {
      check();
      sealed ??= Promise.all([...files.values()].map(finish));
      await sealed;
      check();
      for (let bucket = 0; bucket < LEDGER_BUCKETS; bucket += 1) {
        const key = keyOf(scope, bucket);
        if (root === null) {
          yield* held.get(key) ?? [];
          continue;
        }
        if (!files.has(key)) continue;
        const input = createReadStream(join(root, `${key}.jsonl`));
        const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) if (line !== '') yield JSON.parse(line) as LedgerRow;
      }
    },
    async dispose() {
      disposed = true;
      held.clear();
      await Promise.allSettled([...files.values()].map(finish));
      if (root !== null) await rm(root, { recursive: true, force: true });
    },
  };
}
