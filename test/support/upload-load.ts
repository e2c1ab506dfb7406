import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../../functions/shared/adapters/dynamo/submissions-repository.ts';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import { deliverablesOf } from '../../functions/shared/domain/filing/uploads.ts';
import { allPages } from '../../functions/shared/domain/pages.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { Roster } from '../../schemas/roster.ts';

/**
 * The load of issue 11: many schools filing at once through the local system, each filing as a
 * browser does it: POST /f/<token>/uploads for the presigned form, then the multipart POST of the
 * file to (local) S3, whose event the bridge hands to upload-received. Shared by the load test
 * (test/load/upload-load.test.ts) and its bench (bench/upload-load.ts).
 */
export interface LoadTarget {
  url: string;
  tableName: string;
  bucket: string;
  links: Record<string, string>;
}

export interface Filing {
  unit: string;
  deliverable: string;
  sha256: string;
  /** Presign and POST, as the school waits for them (ms). */
  latencyMs: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every (unit, deliverable) the units owe, in roster order. */
export function filingSlots(campaign: Campaign, roster: Roster, units: readonly string[]) {
  return roster.units
    .filter((u) => units.includes(u.code))
    .flatMap((u) => deliverablesOf(campaign, u).map((d) => ({ unit: u.code, deliverable: d.id })));
}

/** Runs `count` filings spread round-robin over `slots`, `concurrency` at a time. Each file is distinct. */
export async function fileConcurrently(
  target: LoadTarget,
  slots: { unit: string; deliverable: string }[],
  count: number,
  concurrency: number,
): Promise<Filing[]> {
  const filings: Filing[] = [];
  let next = 0;
  const fileOne = async (i: number) => {
    const slot = slots[i % slots.length] as { unit: string; deliverable: string };
    const bytes = new TextEncoder().encode(`%PDF-1.4\n% filing ${i} ${randomUUID()}\n${'x'.repeat(900)}\n`);
    const started = performance.now();
    const token = target.links[slot.unit] ?? '';
    const presign = await fetch(`${target.url}/f/${token}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        deliverableId: slot.deliverable,
        fileName: `方案-${i}.pdf`,
        size: bytes.length,
      }),
    });
    if (presign.status !== 200) throw new Error(`presign ${i}: ${presign.status} ${await presign.text()}`);
    const form = (await presign.json()) as { url: string; fields: Record<string, string> };
    const data = new FormData();
    for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
    data.append('file', new Blob([bytes]), `方案-${i}.pdf`);
    const posted = await fetch(form.url, { method: 'POST', body: data, redirect: 'manual' });
    await posted.arrayBuffer();
    if (posted.status >= 400) throw new Error(`POST ${i}: ${posted.status}`);
    filings.push({ ...slot, sha256: sha256(bytes), latencyMs: performance.now() - started });
  };
  const worker = async () => {
    while (next < count) await fileOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return filings;
}

/** The versions recorded for the slots, with the SHA-256 of the filed bytes read back from S3. */
export async function filedVersions(
  clients: Pick<AwsClients, 'doc' | 's3'>,
  target: LoadTarget,
  slots: { unit: string; deliverable: string }[],
) {
  const submissions = new DynamoSubmissionRepository(
    new DynamoStore(clients.doc, target.tableName),
    'Asia/Shanghai',
  );
  const lists = await Promise.all(
    slots.map((s) => allPages((page) => submissions.versions(s.unit, s.deliverable, page), 100)),
  );
  return lists.flat();
}

/**
 * Waits until `count` versions are recorded for the slots (or `timeoutMs` passes), then returns
 * them. It polls the pointers only (numbering is gap-free, so their current versions add up to
 * the count), once a second, to leave DynamoDB Local to the handlers.
 */
export async function untilFiled(
  clients: Pick<AwsClients, 'doc' | 's3'>,
  target: LoadTarget,
  slots: { unit: string; deliverable: string }[],
  count: number,
  timeoutMs: number,
) {
  const submissions = new DynamoSubmissionRepository(
    new DynamoStore(clients.doc, target.tableName),
    'Asia/Shanghai',
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pointers = await Promise.all(slots.map((s) => submissions.pointer(s.unit, s.deliverable)));
    const filed = pointers.reduce((sum, p) => sum + (p?.currentVersion ?? 0), 0);
    if (filed >= count || Date.now() > deadline) return filedVersions(clients, target, slots);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** SHA-256 of each object's bytes as stored, `concurrency` reads at a time. */
export async function storedHashes(s3: S3Client, bucket: string, keys: string[], concurrency = 50) {
  const hashes: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      hashes.push(sha256((await object.Body?.transformToByteArray()) ?? new Uint8Array()));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return hashes;
}

/** The p-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
