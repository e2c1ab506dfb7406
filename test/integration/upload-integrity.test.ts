import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import { CLAIM_LEASE_MS, DynamoMailLog } from '../../functions/shared/adapters/dynamo/mail-log.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { localDateOf } from '../../functions/shared/domain/calendar/calendar.ts';
import { reconcileUploads } from '../../functions/shared/domain/filing/reconcile-uploads.ts';
import type { ListedObject } from '../../functions/shared/ports.ts';
import { createAdapters } from '../../functions/shared/wiring.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import { main } from '../../infra/cli/campaign.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { deliverWithRetry, sweptNotification } from '../../infra/local/s3-event-bridge.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { demoCampaign } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 11, points 1-3: nothing a school filed is lost, changed or doubled. Each case runs the
 * real upload-received handler against DynamoDB Local and s3rver, on its own table and bucket.
 */
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);
const EXE = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const DELIVERABLE = 'implementation-plan';

function campaign(): Campaign {
  const base = demoCampaign();
  return { ...base, mail: { ...base.mail, from: `integrity-${randomUUID().slice(0, 8)}@czedu.example` } };
}

async function presign(app: TestApp, unit: string, size = 100): Promise<string> {
  const response = await app.http('POST', `/f/${app.links[unit]}/uploads`, {
    body: JSON.stringify({ deliverableId: DELIVERABLE, fileName: '实施方案.pdf', size }),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.statusCode).toBe(200);
  return (JSON.parse(response.body) as { key: string }).key;
}

/** Puts bytes under the key as a browser's POST would (s3rver lets a key be written again). */
async function put(app: TestApp, key: string, bytes: Uint8Array): Promise<ListedObject> {
  const result = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
  );
  return { key, etag: (result.ETag ?? '').replaceAll('"', ''), size: bytes.length, lastModified: new Date() };
}

async function download(app: TestApp, unit: string, version: number): Promise<Uint8Array> {
  const link = await app.http('GET', `/f/${app.links[unit]}/files/${DELIVERABLE}/${version}`);
  expect(link.statusCode).toBe(302);
  const file = await fetch(link.headers.location ?? '');
  expect(file.status).toBe(200);
  return new Uint8Array(await file.arrayBuffer());
}

async function exists(app: TestApp, key: string): Promise<boolean> {
  return (await app.adapters.documents.head(key)) !== null;
}

async function mailsTo(app: TestApp, unit: string) {
  const email = (await app.adapters.units.get(unit))?.email ?? '';
  const store = (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
    emails: { from: string; subject: string; destination: { to: string[] }; body: { text: string } }[];
  };
  return store.emails.filter(
    (m) => m.from === app.adapters.campaign.mail.from && m.destination.to.includes(email),
  );
}

describe('a reused form, redeliveries and races', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, campaign: campaign() });
  });
  afterAll(() => app.cleanup());
  const event = (object: ListedObject, at = clock.now()) =>
    makeUploadHandler(app.adapters)(
      sweptNotification(app.adapters.documents.bucket, object, at),
      localContext('upload-received'),
    );

  it('two objects posted with one form are two versions, each serving its own bytes, with its SHA-256 shown', async () => {
    const key = await presign(app, 'LY-101');
    const first = pdf('first draft');
    const second = pdf('second, final');
    expect(await event(await put(app, key, first))).toEqual([{ outcome: 'accepted', version: 1 }]);
    expect(await event(await put(app, key, second))).toEqual([{ outcome: 'accepted', version: 2 }]);

    expect(await download(app, 'LY-101', 1)).toEqual(first);
    expect(await download(app, 'LY-101', 2)).toEqual(second);
    const v1 = await app.adapters.submissions.version('LY-101', DELIVERABLE, 1);
    expect(v1).toMatchObject({ sha256: sha256(first), sourceKey: key });
    expect(v1?.fileKey).toBe(`files/LY-101/${DELIVERABLE}/${key.split('/').at(-1)}/${sha256(first)}`);

    const html = (await app.http('GET', `/f/${app.links['LY-101']}`)).body;
    expect(html).toContain(`SHA-256 ${sha256(first)}`);
    expect(html).toContain(`SHA-256 ${sha256(second)}`);
    const receipts = await mailsTo(app, 'LY-101');
    expect(receipts).toHaveLength(2);
    expect(receipts.map((m) => m.body.text).join('\n')).toContain(`文件 SHA-256：${sha256(first)}`);
    expect(receipts.map((m) => m.body.text).join('\n')).toContain(`SHA-256 of the file: ${sha256(second)}`);
  });

  it('a disguised EXE posted with a used form is quarantined without touching the filed version', async () => {
    const key = await presign(app, 'LY-102');
    const plan = pdf('the real plan');
    expect(await event(await put(app, key, plan))).toEqual([{ outcome: 'accepted', version: 1 }]);
    const exe = await put(app, key, EXE);
    expect(await event(exe)).toEqual([{ outcome: 'rejected', reason: 'type-not-accepted' }]);

    expect(await download(app, 'LY-102', 1)).toEqual(plan);
    expect((await app.adapters.submissions.pointer('LY-102', DELIVERABLE))?.currentVersion).toBe(1);
    expect(await exists(app, `quarantine/${key.slice('incoming/'.length)}/${exe.etag}`)).toBe(true);
    expect(await exists(app, key)).toBe(false);
    const html = (await app.http('GET', `/f/${app.links['LY-102']}`)).body;
    expect(html).toContain('已按时报送');
    expect(html).toContain('文件内容不是可接受的类型');
  });

  it('an event for an object already replaced is ignored and logged; the newer object is filed by its own', async () => {
    const key = await presign(app, 'WJ-101');
    const older = await put(app, key, pdf('older'));
    const newer = await put(app, key, pdf('newer'));
    expect(await event(newer)).toEqual([{ outcome: 'accepted', version: 1 }]);
    expect(await event(older)).toEqual([
      { outcome: 'ignored', why: 'the object was replaced before it was read' },
    ]);
    expect(app.logs.some((l) => l.includes('upload replaced before it was read'))).toBe(true);
    expect(await download(app, 'WJ-101', 1)).toEqual(pdf('newer'));
  });

  it('the same events twice and out of order: each object once, one receipt each', async () => {
    const a = await put(app, await presign(app, 'WJ-000'), pdf('a'));
    const b = await put(app, await presign(app, 'WJ-000'), pdf('b'));
    expect(await event(b)).toEqual([{ outcome: 'accepted', version: 1 }]);
    expect(await event(a)).toEqual([{ outcome: 'accepted', version: 2 }]);
    expect(await event(b)).toEqual([{ outcome: 'duplicate' }]);
    expect(await event(a)).toEqual([{ outcome: 'duplicate' }]);
    expect((await app.adapters.submissions.versions('WJ-000', DELIVERABLE)).items).toHaveLength(2);
    expect(await download(app, 'WJ-000', 1)).toEqual(pdf('b'));
    expect(await download(app, 'WJ-000', 2)).toEqual(pdf('a'));
    expect(await mailsTo(app, 'WJ-000')).toHaveLength(2);
  });

  it('a redelivery that would now be refused (its form record gone, the form expired) changes nothing', async () => {
    const key = await presign(app, 'CZ-001');
    const object = await put(app, key, pdf('filed'));
    expect(await event(object)).toEqual([{ outcome: 'accepted', version: 1 }]);
    await testClients().doc.send(
      new DeleteCommand({ TableName: app.adapters.env.TABLE_NAME, Key: keys.pendingUpload(key) }),
    );
    const later = new Date(clock.now().getTime() + 3_600_000);
    expect(await event(object, later)).toEqual([{ outcome: 'duplicate' }]);
    expect((await app.adapters.ledger.rejections('CZ-001')).items).toEqual([]);
    expect(await exists(app, key)).toBe(true);
    expect(await download(app, 'CZ-001', 1)).toEqual(pdf('filed'));
  });

  it('10 concurrent uploads to one deliverable become 10 versions, numbered without gaps', async () => {
    const files = Array.from({ length: 10 }, (_, i) => pdf(`concurrent ${i}`));
    const objects = await Promise.all(
      files.map(async (bytes) => put(app, await presign(app, 'LY-000'), bytes)),
    );
    const outcomes = (await Promise.all(objects.map((o) => event(o)))).flat();
    expect(outcomes.map((o) => (o.outcome === 'accepted' ? o.version : 0)).sort((x, y) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const versions = (await app.adapters.submissions.versions('LY-000', DELIVERABLE)).items;
    expect(versions.map((v) => v.sha256).sort()).toEqual(files.map(sha256).sort());
    for (const v of versions)
      expect(await download(app, 'LY-000', v.version)).toEqual(files.find((f) => sha256(f) === v.sha256));
  });
});

describe('no upload event is lost', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, campaign: campaign() });
  });
  afterAll(() => app.cleanup());

  /** The upload handler over a DynamoDB client that throws for the first `failures` transactions. */
  async function failingHandler(failures: number) {
    let left = failures;
    const dynamo = new DynamoDBClient({});
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (/TransactWrite/.test(context.commandName ?? '') && left > 0) {
          left -= 1;
          throw new Error('injected: DynamoDB unavailable');
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectFailures' },
    );
    const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    const adapters = await createAdapters({
      env: {
        ...process.env,
        TABLE_NAME: app.adapters.env.TABLE_NAME,
        BUCKET_NAME: app.adapters.documents.bucket,
      },
      clock,
      logger: app.adapters.logger,
      clients: { ...testClients(), dynamo, doc },
    });
    return { handler: makeUploadHandler(adapters), left: () => left };
  }
  const deliver = (handler: ReturnType<typeof makeUploadHandler>, object: ListedObject) => () =>
    handler(
      sweptNotification(app.adapters.documents.bucket, object, clock.now()),
      localContext('upload-received'),
    );
  const policy = { attempts: 6, firstDelayMs: 20 };

  it('DynamoDB failing mid-write: the bridge retries and the upload is recorded once', async () => {
    const object = await put(app, await presign(app, 'LY-101'), pdf('retried'));
    const { handler, left } = await failingHandler(3);
    const errors: unknown[] = [];
    await deliverWithRetry(deliver(handler, object), policy, (error) => errors.push(error));
    expect(errors).toEqual([]);
    expect(left()).toBe(0);
    expect((await app.adapters.submissions.versions('LY-101', DELIVERABLE)).items).toHaveLength(1);
    expect(await download(app, 'LY-101', 1)).toEqual(pdf('retried'));
    expect(await mailsTo(app, 'LY-101')).toHaveLength(1);
  });

  it('an event whose every retry failed, and one never delivered, are fed by the sweep exactly once', async () => {
    const failed = await put(app, await presign(app, 'LY-102'), pdf('all retries failed'));
    const { handler } = await failingHandler(100);
    const errors: unknown[] = [];
    await deliverWithRetry(deliver(handler, failed), policy, (error) => errors.push(error));
    expect(errors).toHaveLength(1);
    // The handler was down: this object's event never came.
    const unseen = await put(app, await presign(app, 'WJ-101'), pdf('never notified'));
    // Already recorded before the sweep: not fed again.
    const recorded = await put(app, await presign(app, 'WJ-000'), pdf('recorded'));
    await deliver(makeUploadHandler(app.adapters), recorded)();

    const feed = (object: ListedObject) => deliver(makeUploadHandler(app.adapters), object)();
    const deps = {
      documents: app.adapters.documents,
      ledger: app.adapters.ledger,
      bucket: app.adapters.documents.bucket,
    };
    const first = await reconcileUploads(deps, feed);
    expect(first.fed.map((f) => f.key).sort()).toEqual([failed.key, unseen.key].sort());
    expect(first.fed.map((f) => f.result)).toEqual([
      [{ outcome: 'accepted', version: 1 }],
      [{ outcome: 'accepted', version: 1 }],
    ]);
    expect((await reconcileUploads(deps, feed)).fed).toEqual([]);
    expect(await download(app, 'LY-102', 1)).toEqual(pdf('all retries failed'));
    expect(await download(app, 'WJ-101', 1)).toEqual(pdf('never notified'));
    expect((await app.adapters.submissions.versions('WJ-000', DELIVERABLE)).items).toHaveLength(1);
  });

  it('`campaign reconcile --data` finds the local system and feeds what has no record; again, nothing', async () => {
    const lost = await put(app, await presign(app, 'CZ-001'), pdf('lost event'));
    const data = await mkdtemp(join(tmpdir(), 'reconcile-'));
    const saved = { ...process.env };
    try {
      await writeFile(
        join(data, 'runtime.json'),
        JSON.stringify({
          url: 'http://127.0.0.1:1',
          endpoints: inject('endpoints'),
          tableName: app.adapters.env.TABLE_NAME,
          bucket: app.adapters.documents.bucket,
        }),
      );
      const run = async () => {
        const lines: string[] = [];
        const code = await main(['reconcile', '--data', data, '--at', clock.now().toISOString()], {
          out: (line) => lines.push(line),
          err: (line) => lines.push(line),
        });
        return { code, text: lines.join('\n') };
      };
      const first = await run();
      expect(first).toMatchObject({ code: 0 });
      expect(first.text).toContain('without a record fed to upload-received');
      expect(first.text).toContain(`${lost.key}  [{"outcome":"accepted","version":1}]`);
      const second = await run();
      expect(second.code).toBe(0);
      expect(second.text).toContain(', 0 without a record fed');
      expect(await download(app, 'CZ-001', 1)).toEqual(pdf('lost event'));
    } finally {
      process.env = saved;
      await rm(data, { recursive: true, force: true });
    }
  });

  it('a receipt whose sender died mid-send is sent by the retry once its claim runs out, not counted as done', async () => {
    const key = await presign(app, 'CZ-001');
    const bytes = pdf('receipt held by a dead delivery');
    const object = await put(app, key, bytes);
    const email = (await app.adapters.units.get('CZ-001'))?.email ?? '';
    const fileKey = `files/CZ-001/${DELIVERABLE}/${key.split('/').at(-1)}/${sha256(bytes)}`;
    const day = localDateOf(clock.now(), app.adapters.campaign.timeZone);
    const receipts = async () =>
      (await mailsTo(app, 'CZ-001')).filter((m) => m.body.text.includes(sha256(bytes))).length;
    // A delivery that claimed the receipt and died before sending it.
    const now = manualClock(new Date().toISOString());
    const store = new DynamoStore(testClients().doc, app.adapters.env.TABLE_NAME);
    await new DynamoMailLog(store, now).claim(day, `receipt:${fileKey}`, email, clock.now());
    await expect(
      makeUploadHandler({ ...app.adapters, mailLog: new DynamoMailLog(store, now) })(
        sweptNotification(app.adapters.documents.bucket, object, clock.now()),
        localContext('upload-received'),
      ),
    ).rejects.toThrow('another delivery holds its mail');
    expect(await receipts()).toBe(0);
    // The retry, after the claim's lease: the version stands, and the receipt goes out once.
    now.set(new Date(now.now().getTime() + CLAIM_LEASE_MS + 1000).toISOString());
    const retry = makeUploadHandler({ ...app.adapters, mailLog: new DynamoMailLog(store, now) });
    const again = () =>
      retry(
        sweptNotification(app.adapters.documents.bucket, object, clock.now()),
        localContext('upload-received'),
      );
    expect(await again()).toEqual([{ outcome: 'duplicate' }]);
    expect(await again()).toEqual([{ outcome: 'duplicate' }]);
    expect(await receipts()).toBe(1);
    expect(await app.adapters.ledger.receipt(app.adapters.documents.bucket, key, object.etag)).toMatchObject({
      outcome: 'accepted',
      sha256: sha256(bytes),
    });
  });

  it('the quarantine never reaches a key outside incoming/', async () => {
    const key = await presign(app, 'LY-000');
    const object = await put(app, key, EXE);
    await deliver(makeUploadHandler(app.adapters), object)();
    const { s3 } = testClients();
    const moved = await s3.send(
      new HeadObjectCommand({
        Bucket: app.adapters.documents.bucket,
        Key: `quarantine/${key.slice('incoming/'.length)}/${object.etag}`,
      }),
    );
    expect(moved.ContentLength).toBe(EXE.length);
  });
});
