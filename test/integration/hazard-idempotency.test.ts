import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/shared/aws-clients.ts';
import { TEMPLATE_COLUMNS } from '../../functions/shared/domain/hazards/hazard-import.ts';
import { allPages } from '../../functions/shared/domain/pages.ts';
import { sampleReportFields } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Hazard reports and actions happen exactly once: a replayed or double-clicked form, 50
 * concurrent reports of one unit, a DynamoDB error in the middle of the write and the retry of
 * the same form, all through the HTTP handler as the local bridge and API Gateway call it.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;

/**
 * What the fault injector does: to the next TransactWriteItems call (`before-write`,
 * `after-write`); to every one (`busy`: cancelled by a transaction in progress, as real DynamoDB
 * does under contention); or to the next two counter updates (`counter-busy`).
 */
let fault: 'none' | 'before-write' | 'after-write' | 'busy' | 'counter-busy' = 'none';
let counterConflicts = 0;
const inProgress = () =>
  Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' });
let faulty: TestApp;

beforeAll(async () => {
  app = await testApp({ clock });
  // Own SDK clients with a middleware that fails one transaction, before it reaches DynamoDB
  // (nothing written) or after DynamoDB committed it (written, but the caller sees an error).
  const clients = createAwsClients();
  clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (fault === 'counter-busy' && context.commandName === 'UpdateItemCommand' && counterConflicts < 2) {
        counterConflicts += 1;
        throw inProgress();
      }
      if (fault === 'busy' && context.commandName === 'TransactWriteItemsCommand')
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
        });
      if (context.commandName !== 'TransactWriteItemsCommand' || fault === 'none' || fault === 'busy')
        return next(args);
      if (fault === 'counter-busy') return next(args);
      const mode = fault;
      fault = 'none';
      if (mode === 'before-write') throw new Error('injected: DynamoDB unreachable');
      await next(args);
      throw new Error('injected: connection reset after the write');
    },
    { step: 'initialize', name: 'injectTransactFault' },
  );
  faulty = await testApp({ clock, clients });
});
afterAll(async () => {
  await app.cleanup();
  await faulty.cleanup();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const fields = sampleReportFields;

function post(on: TestApp, unit: string, body: Record<string, string>) {
  return on.http('POST', `/f/${on.links[unit]}/hazards`, {
    body: new URLSearchParams(body).toString(),
    headers: FORM,
  });
}

const hazardsOf = (on: TestApp, unit: string) =>
  allPages((page) => on.adapters.hazards.listForUnit(unit, page), 500);

const keyIn = (body: string) => /name="formKey" value="([0-9a-f-]{36})"/.exec(body)?.[1];

describe('the report form’s one-time key', () => {
  it('is in every form served, a fresh UUID each time', async () => {
    const first = await app.http('GET', `/f/${app.links['LY-101']}/hazards/new`);
    const second = await app.http('GET', `/f/${app.links['LY-101']}/hazards/new`);
    expect(keyIn(first.body)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(keyIn(second.body)).not.toBe(keyIn(first.body));
  });

  it('makes a replayed form answer as the first time, storing nothing more', async () => {
    const body = fields({ formKey: randomUUID(), title: '重放的上报' });
    const first = await post(app, 'LY-101', body);
    expect(first.statusCode).toBe(303);
    const unitAfterFirst = await app.adapters.units.get('LY-101');
    const again = await post(app, 'LY-101', body);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect((await hazardsOf(app, 'LY-101')).filter((h) => h.title === '重放的上报')).toHaveLength(1);
    expect(await app.adapters.units.get('LY-101')).toEqual(unitAfterFirst);
  });

  it('makes a double click (two concurrent posts of one form) store one hazard, both answered with it', async () => {
    const body = fields({ formKey: randomUUID(), title: '双击的上报' });
    const answers = await Promise.all([post(app, 'LY-102', body), post(app, 'LY-102', body)]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    expect(answers[1]?.headers.location).toBe(answers[0]?.headers.location);
    const stored = (await hazardsOf(app, 'LY-102')).filter((h) => h.title === '双击的上报');
    expect(stored).toHaveLength(1);
    expect((await app.adapters.units.get('LY-102'))?.openGeneral).toBe(1);
    expect((await app.adapters.hazards.history('LY-102', stored[0]?.id ?? '')).items).toHaveLength(1);
  });

  it('refuses the same key with other content (409), the form back as typed under a new key', async () => {
    const formKey = randomUUID();
    const first = await post(app, 'WJ-101', fields({ formKey, title: '第一条' }));
    const firstId = first.headers.location?.split('/').at(-1) ?? '';
    const before = await hazardsOf(app, 'WJ-101');
    const other = await post(app, 'WJ-101', fields({ formKey, title: '改过的第二条' }));
    expect(other.statusCode).toBe(409);
    expect(other.body).toContain(`这份表单已用于上报隐患 ${firstId}`);
    expect(other.body).toContain(`this form was used already to report hazard ${firstId}`);
    expect(other.body).toContain('value="改过的第二条"');
    expect(keyIn(other.body)).not.toBe(formKey);
    expect(await hazardsOf(app, 'WJ-101')).toEqual(before);
    // Submitting the page it got back reports the second hazard, on purpose.
    const resubmitted = await post(
      app,
      'WJ-101',
      fields({ formKey: keyIn(other.body) ?? '', title: '改过的第二条' }),
    );
    expect(resubmitted.statusCode).toBe(303);
    expect(await hazardsOf(app, 'WJ-101')).toHaveLength(before.length + 1);
  });

  it('refuses a form without a key, bilingually, and serves it back with one', async () => {
    const before = await app.adapters.units.get('WJ-101');
    const response = await post(app, 'WJ-101', fields({ title: '没有编号的表单' }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('表单缺少一次性编号（formKey）');
    expect(response.body).toContain('the form lacks its one-time key (formKey)');
    expect(response.body).toContain('value="没有编号的表单"');
    expect(keyIn(response.body)).toBeDefined();
    expect(await app.adapters.units.get('WJ-101')).toEqual(before);
  });
});

describe('hazard numbers', () => {
  it('50 concurrent reports from one unit all succeed, with 50 distinct numbers', {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(app, 'CZ-001', fields({ formKey: randomUUID(), title: `并发上报 ${i + 1}` })),
      ),
    );
    const elapsed = Date.now() - started;
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(303));
    const ids = answers.map((a) => a.headers.location?.split('/').at(-1));
    expect(new Set(ids).size).toBe(50);
    const stored = await hazardsOf(app, 'CZ-001');
    expect(stored).toHaveLength(50);
    expect(new Set(stored.map((h) => h.title)).size).toBe(50);
    // Nothing failed, so there is no gap either: 1 to 50, each once.
    expect(stored.map((h) => h.id).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `CZ-001-H${String(i + 1).padStart(3, '0')}`),
    );
    expect(await app.adapters.units.get('CZ-001')).toMatchObject({ hazardSeq: 50, openGeneral: 50 });
    console.info(`50 concurrent reports of one unit: ${elapsed} ms`);
  });
});

describe('a DynamoDB error in the middle of the write', () => {
  it('before the write: the form comes back as typed with its key, and its retry stores the hazard once', async () => {
    const body = fields({ formKey: randomUUID(), title: '写入前出错' });
    fault = 'before-write';
    const failed = await post(faulty, 'LY-101', body);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toContain('您填写的内容保留在下方');
    expect(failed.body).toContain('value="写入前出错"');
    expect(keyIn(failed.body)).toBe(body.formKey);
    expect(await hazardsOf(faulty, 'LY-101')).toEqual([]);
    expect(
      faulty.logs.some((l) => l.includes('request failed') && l.includes('POST /f/{token}/hazards')),
    ).toBe(true);

    const retried = await post(faulty, 'LY-101', { ...body, formKey: keyIn(failed.body) ?? '' });
    expect(retried.statusCode).toBe(303);
    const stored = await hazardsOf(faulty, 'LY-101');
    expect(stored.map((h) => h.title)).toEqual(['写入前出错']);
    // The number the failed request took stays unused: a gap, never a duplicate.
    expect(stored[0]?.id).toBe('LY-101-H002');
    expect(await faulty.adapters.units.get('LY-101')).toMatchObject({ hazardSeq: 2, openGeneral: 1 });
  });

  it('after DynamoDB committed it: the retry of the same form finds the hazard and stores nothing more', async () => {
    const body = fields({ formKey: randomUUID(), title: '写入后出错' });
    fault = 'after-write';
    const failed = await post(faulty, 'LY-102', body);
    expect(failed.statusCode).toBe(500);
    expect(keyIn(failed.body)).toBe(body.formKey);
    const stored = await hazardsOf(faulty, 'LY-102');
    expect(stored.map((h) => h.title)).toEqual(['写入后出错']);

    const retried = await post(faulty, 'LY-102', { ...body, formKey: keyIn(failed.body) ?? '' });
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location?.endsWith(`/hazards/LY-102/${stored[0]?.id}`)).toBe(true);
    expect(await hazardsOf(faulty, 'LY-102')).toEqual(stored);
    expect(await faulty.adapters.units.get('LY-102')).toMatchObject({ hazardSeq: 1, openGeneral: 1 });
  });
});

describe('contention on real DynamoDB (transaction conflicts, which DynamoDB Local never raises)', () => {
  it('a counter update that meets a transaction in progress is sent again, and the report is stored', async () => {
    fault = 'counter-busy';
    counterConflicts = 0;
    const response = await post(faulty, 'WJ-000', fields({ formKey: randomUUID(), title: '计数冲突' }));
    fault = 'none';
    expect(counterConflicts).toBe(2);
    expect(response.statusCode).toBe(303);
    expect((await hazardsOf(faulty, 'WJ-000')).map((h) => h.title)).toEqual(['计数冲突']);
  });

  it('a report still busy after every attempt says it was not saved, and comes back as typed', {
    timeout: 30_000,
  }, async () => {
    fault = 'busy';
    const body = fields({ formKey: randomUUID(), title: '一直冲突' });
    const response = await post(faulty, 'WJ-101', body);
    fault = 'none';
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('本次未保存');
    expect(response.body).toContain('was not saved');
    expect(response.body).toContain('value="一直冲突"');
    expect(keyIn(response.body)).toBe(body.formKey);
    expect(await hazardsOf(faulty, 'WJ-101')).toEqual([]);
    const retried = await post(faulty, 'WJ-101', body);
    expect(retried.statusCode).toBe(303);
  });
});

describe('actions on a hazard', () => {
  const act = (unit: string, hazardUnit: string, id: string, body: Record<string, string>) =>
    app.http('POST', `/f/${app.links[unit]}/hazards/${hazardUnit}/${id}/actions`, {
      body: new URLSearchParams(body).toString(),
      headers: FORM,
    });

  it('carry the version the page showed; a replay and a double click each act once', async () => {
    const created = await post(
      app,
      'LY-101',
      fields({ formKey: randomUUID(), level: 'major', title: '待办理' }),
    );
    const id = created.headers.location?.split('/').at(-1) ?? '';
    const page = (await app.http('GET', `/f/${app.links['LY-101']}/hazards/LY-101/${id}`)).body;
    expect(page).toContain('<input type="hidden" name="version" value="1">');

    const start = { action: 'start-rectifying', version: '1' };
    const first = await act('LY-101', 'LY-101', id, start);
    const replay = await act('LY-101', 'LY-101', id, start);
    expect([first.statusCode, replay.statusCode]).toEqual([303, 303]);
    expect(replay.headers.location).toBe(first.headers.location);

    const ask = { action: 'submit-for-acceptance', note: '已整改', version: '2' };
    const both = await Promise.all([act('LY-101', 'LY-101', id, ask), act('LY-101', 'LY-101', id, ask)]);
    expect(both.map((r) => r.statusCode)).toEqual([303, 303]);

    const refuse = { action: 'refuse', reason: '仍有问题', version: '3' };
    const refusals = await Promise.all([
      act('LY-000', 'LY-101', id, refuse),
      act('LY-000', 'LY-101', id, refuse),
    ]);
    expect(refusals.map((r) => r.statusCode)).toEqual([303, 303]);

    const history = (await app.adapters.hazards.history('LY-101', id)).items;
    expect(history.map((e) => e.action)).toEqual([
      'report',
      'start-rectifying',
      'submit-for-acceptance',
      'refuse',
    ]);
    expect(await app.adapters.hazards.get('LY-101', id)).toMatchObject({ version: 4, status: 'rectifying' });

    // A form from before the refusal is stale: refused with a request to reload, nothing changed.
    const stale = await act('LY-000', 'LY-101', id, { action: 'accept', version: '3' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('在您打开页面后已有变化，请刷新页面');
    expect(stale.body).toContain('changed after you opened the page; reload it');
    const noVersion = await act('LY-101', 'LY-101', id, { action: 'submit-for-acceptance', note: 'x' });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.body).toContain('表单缺少隐患的版本号');
    expect((await app.adapters.hazards.history('LY-101', id)).items).toEqual(history);
  });
});

describe('a bulk import delivered twice', () => {
  it('stores its rows once, whether the same event comes again or twice at once', {
    timeout: 60_000,
  }, async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('隐患清单');
    sheet.addRow(TEMPLATE_COLUMNS.map((c) => c.header));
    for (let i = 0; i < 5; i += 1)
      sheet.addRow(TEMPLATE_COLUMNS.map((c, j) => (j === 2 ? `导入 ${i}` : c.example)));
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const asked = await app.http('POST', `/f/${app.links['WJ-000']}/imports`, {
      body: JSON.stringify({ fileName: '清单.xlsx', size: bytes.length }),
    });
    const { key } = JSON.parse(asked.body) as { key: string };
    const put = await testClients().s3.send(
      new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
    );
    const etag = (put.ETag ?? '').replaceAll('"', '');
    const both = await Promise.all([
      app.s3Created(key, etag, clock.now()),
      app.s3Created(key, etag, clock.now()),
    ]);
    // Two at once: each finishes the one import, or finds its receipt already written.
    const imported = { outcome: 'imported', status: 'imported', rows: 5 };
    for (const outcome of both) expect([[imported], [{ outcome: 'duplicate' }]]).toContainEqual(outcome);
    expect(both).toContainEqual([imported]);
    // Once recorded, the object's receipt answers before anything is read again.
    expect(await app.s3Created(key, etag, clock.now())).toEqual([{ outcome: 'duplicate' }]);
    const stored = await hazardsOf(app, 'WJ-000');
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((h) => h.title)).size).toBe(5);
    expect(await app.adapters.units.get('WJ-000')).toMatchObject({ openGeneral: 5 });
  });
});
