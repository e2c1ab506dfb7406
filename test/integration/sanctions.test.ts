import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheckDeps, makeHandler } from '../../functions/daily-check/handler.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import type { SanctionRecord } from '../../schemas/records.ts';
import { manualClock, type TestApp, testApp, type WorkspaceClient } from '../support/local-app.ts';

/**
 * Issue 13, summons and circulars (约谈/通报): the office (or a bureau, for its own district)
 * records a decision from the workspace, once per form; the unit sees it on its page; the next
 * daily check lists it in the digest's mail and spreadsheet, each scope its own; the office
 * exports a draft circular of the units it picked. Real handlers on DynamoDB Local and s3rver.
 */
class RecordingMailer implements Mailer {
  readonly sent: OutboundMail[] = [];
  async send(mail: OutboundMail) {
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

const formKeyOf = (body: string) => /name="formKey" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function stored(app: TestApp, unit: string): Promise<SanctionRecord[]> {
  return app.adapters.sanctions.listForUnit(unit);
}

async function xlsxOf(body: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(body, 'base64') as never);
  return book;
}

describe('summons and circulars', () => {
  // The implementation plan was due 2018-01-19: on the 24th, LY-101 and LY-102 are 5 days overdue.
  const clock = manualClock('2018-01-24T10:00:00+08:00');
  let app: TestApp;
  let office: WorkspaceClient;
  const enter = (unit: string) => app.workspace(`/f/${app.links[unit]}/workspace`);

  /** Opens the form for `unit` and posts it as `fields`; the answer and the form key used. */
  async function record(client: WorkspaceClient, unit: string, fields: Record<string, string>) {
    const form = await client.get(`/w/sanctions/new?unit=${unit}`);
    expect(form.statusCode).toBe(200);
    const formKey = formKeyOf(form.body);
    const answer = await client.post('/w/sanctions', { unit, formKey, ...fields });
    return { answer, formKey };
  }

  beforeAll(async () => {
    app = await testApp({ clock });
    office = await enter('CITY-000');
  });
  afterAll(() => app.cleanup());

  it('records a summons once, on the audit trail, and the unit sees it on its page', async () => {
    // The way in: the supervised unit's page links to the form.
    expect((await office.get('/w/units/LY-101')).body).toContain('href="/w/sanctions/new?unit=LY-101"');
    const { answer, formKey } = await record(office, 'LY-101', {
      kind: 'summons',
      date: '2018-01-26',
      reason: '实施方案逾期五天未报送',
    });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(`/w/sanctions?recorded=${formKey}#s-${formKey}`);
    const [saved, ...more] = await stored(app, 'LY-101');
    expect(more).toEqual([]);
    expect(saved).toEqual(
      expect.objectContaining({
        id: formKey,
        unitCode: 'LY-101',
        district: 'liyang',
        kind: 'summons',
        date: '2018-01-26',
        reason: '实施方案逾期五天未报送',
        bodyCode: 'CITY-000',
        actor: 'CITY-000',
        recordedAt: '2018-01-24T02:00:00.000Z',
      }),
    );
    const audit = (await app.adapters.audit.listDay('2018-01-24', { limit: 500 })).items.filter(
      (e) => e.action === 'sanction-recorded',
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'CITY-000',
        subject: 'LY-101',
        detail: expect.objectContaining({ id: formKey }),
      }),
    ]);

    const page = await app.http('GET', `/f/${app.links['LY-101']}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('约谈/通报记录');
    expect(page.body).toMatch(/约谈<\/span> <strong>2018-01-26<\/strong> 实施方案逾期五天未报送/);
    const english = await app.http('GET', `/f/${app.links['LY-101']}?lang=en`);
    expect(english.body).toContain('Summons and circulars');
    // Another unit's page shows none.
    expect((await app.http('GET', `/f/${app.links['LY-102']}`)).body).not.toContain('约谈/通报记录');

    const list = await office.get('/w/sanctions');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<a href="/w/units/LY-101">');
    expect(list.body).toContain('实施方案逾期五天未报送');
  });

  it('records one decision for a form posted twice, and for five concurrent posts of one form', async () => {
    const fields = { kind: 'circular', date: '2018-01-25', reason: '工作滞后，全市通报' };
    const { answer, formKey } = await record(office, 'LY-102', fields);
    expect(answer.statusCode).toBe(303);
    const again = await office.post('/w/sanctions', { unit: 'LY-102', formKey, ...fields });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(answer.headers.location);
    expect(await stored(app, 'LY-102')).toHaveLength(1);

    // The same form with other content: the first decision stands, the form comes back with a new key.
    const changed = await office.post('/w/sanctions', {
      unit: 'LY-102',
      formKey,
      ...fields,
      reason: '改过的事由',
    });
    expect(changed.statusCode).toBe(409);
    expect(changed.body).toContain('这份表单已用于记录');
    expect(formKeyOf(changed.body)).not.toBe(formKey);
    expect(await stored(app, 'LY-102')).toHaveLength(1);

    const form = await office.get('/w/sanctions/new?unit=LY-102');
    const key = formKeyOf(form.body);
    const posts = await Promise.all(
      Array.from({ length: 5 }, () =>
        office.post('/w/sanctions', { unit: 'LY-102', formKey: key, ...fields, date: '2018-01-27' }),
      ),
    );
    expect(posts.map((p) => p.statusCode)).toEqual([303, 303, 303, 303, 303]);
    const all = await stored(app, 'LY-102');
    expect(all.map((s) => s.date).sort()).toEqual(['2018-01-25', '2018-01-27']);
    const audited = (await app.adapters.audit.listDay('2018-01-24', { limit: 500 })).items.filter(
      (e) => e.action === 'sanction-recorded' && e.subject === 'LY-102',
    );
    expect(audited).toHaveLength(2);
  });

  it('refuses a post without the CSRF token (403) and stores nothing', async () => {
    const form = await office.get('/w/sanctions/new?unit=WJ-101');
    const answer = await office.post('/w/sanctions', {
      csrf: '',
      unit: 'WJ-101',
      formKey: formKeyOf(form.body),
      kind: 'summons',
      date: '2018-01-26',
      reason: '无令牌',
    });
    expect(answer.statusCode).toBe(403);
    const wrong = await app.http('POST', '/w/sanctions', {
      cookies: [office.cookie],
      body: new URLSearchParams({ csrf: 'x'.repeat(43), unit: 'WJ-101', kind: 'summons' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.statusCode).toBe(403);
    // No session at all: 401.
    const anonymous = await app.http('POST', '/w/sanctions', {
      body: 'unit=WJ-101&kind=summons',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await stored(app, 'WJ-101')).toEqual([]);
  });

  it('refuses a bad kind, date or reason, naming each field and its value, and keeps the form', async () => {
    const form = await office.get('/w/sanctions/new?unit=WJ-101');
    const formKey = formKeyOf(form.body);
    const bad = await office.post('/w/sanctions', {
      unit: 'WJ-101',
      formKey,
      kind: 'fine',
      date: '2018-02-30',
      reason: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('请选择“约谈”或“通报”（kind），收到的是“fine”');
    expect(bad.body).toContain('日期（date）应为真实日期 YYYY-MM-DD，收到的是“2018-02-30”');
    expect(bad.body).toContain('事由（reason）应为 1 至 500 个字');
    expect(formKeyOf(bad.body)).toBe(formKey);
    const outside = await office.post('/w/sanctions', {
      unit: 'WJ-101',
      formKey,
      kind: 'summons',
      date: '2017-12-31',
      reason: '长'.repeat(501),
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain('日期（date）应在 2018-01-10 至 2018-06-29 之间，收到的是 2017-12-31');
    expect(outside.body).toContain('收到的有 501 个字');
    expect(outside.body).toContain(`value="2017-12-31"`);
    expect(await stored(app, 'WJ-101')).toEqual([]);
    // The same key, now valid, records it.
    const fine = await office.post('/w/sanctions', {
      unit: 'WJ-101',
      formKey,
      kind: 'summons',
      date: '2018-01-29',
      reason: '长'.repeat(500),
    });
    expect(fine.statusCode).toBe(303);
    expect(await stored(app, 'WJ-101')).toHaveLength(1);
  });

  it("lets a district bureau and its reviewer decide for their own district's units only, and list only those", async () => {
    const bureau = await enter('LY-000');
    const own = await record(bureau, 'LY-102', {
      kind: 'summons',
      date: '2018-01-26',
      reason: '溧阳市教育局约谈',
    });
    expect(own.answer.statusCode).toBe(303);
    expect((await stored(app, 'LY-102')).find((s) => s.reason === '溧阳市教育局约谈')).toEqual(
      expect.objectContaining({ bodyCode: 'LY-000', actor: 'LY-000', id: own.formKey }),
    );

    // Another district's unit, the office, the bureau itself: the workspace's one 404, nothing stored.
    for (const unit of ['WJ-101', 'CITY-000', 'LY-000', 'CZ-001']) {
      expect((await bureau.get(`/w/sanctions/new?unit=${unit}`)).statusCode).toBe(404);
      const forged = await bureau.post('/w/sanctions', {
        unit,
        formKey: own.formKey.replace(/^./, 'a'),
        kind: 'summons',
        date: '2018-01-26',
        reason: '越权',
      });
      expect(forged.statusCode).toBe(404);
    }
    expect(await stored(app, 'WJ-101')).toHaveLength(1);
    expect(await stored(app, 'CZ-001')).toEqual([]);

    const list = await bureau.get('/w/sanctions');
    expect(list.body).toContain('溧阳市教育局约谈');
    expect(list.body).toContain('实施方案逾期五天未报送');
    expect(list.body).not.toMatch(/WJ-101|武进/);
    const wujin = await enter('WJ-000');
    const theirs = await wujin.get('/w/sanctions');
    expect(theirs.body).toContain('WJ-101');
    expect(theirs.body).not.toMatch(/LY-10|溧阳/);

    const reviewer = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    const byReviewer = await record(reviewer, 'LY-101', {
      kind: 'circular',
      date: '2018-01-26',
      reason: '李审核通报',
    });
    expect(byReviewer.answer.statusCode).toBe(303);
    expect((await stored(app, 'LY-101')).find((s) => s.reason === '李审核通报')).toEqual(
      expect.objectContaining({ bodyCode: 'LY-000', actor: 'reviewer:li-liyang', kind: 'circular' }),
    );
    expect((await reviewer.get('/w/sanctions/new?unit=WJ-101')).statusCode).toBe(404);
  });

  it('gives a school no way to record one', async () => {
    const entry = await app.http('GET', `/f/${app.links['LY-101']}/workspace`);
    expect(entry.statusCode).toBe(403);
    expect(entry.cookies).toEqual([]);
    const post = await app.http('POST', '/w/sanctions', {
      body: 'unit=LY-102&kind=summons&date=2018-01-26&reason=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.statusCode).toBe(401);
    expect((await stored(app, 'LY-102')).map((s) => s.bodyCode)).not.toContain('LY-101');
  });

  it('lists the decisions in the next daily digest, mail and spreadsheet, each scope its own', async () => {
    const mailer = new RecordingMailer();
    await makeHandler({ ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer })(
      { scheduledTime: '2018-01-25T08:00:00+08:00' },
      localContext('daily-check'),
    );
    const digestTo = (address: string) =>
      mailer.sent.find((m) => m.to.includes(address) && m.subject.includes('每日汇总'));
    const officeMail = digestTo('safety-office@czedu.example');
    const text = officeMail?.text ?? '';
    expect(text).toContain('== 约谈/通报记录 Summons and circulars ==');
    expect(text).toContain('- 约谈 2018-01-26 溧阳市燕山示例小学：实施方案逾期五天未报送');
    expect(text).toContain('- 约谈/通报：溧阳市燕山示例小学 约谈（2018-01-26）实施方案逾期五天未报送');
    expect(text).toContain('武进');
    expect(officeMail?.html).toContain('约谈/通报记录');

    const liyang = digestTo('liyang-bureau@czedu.example');
    expect(liyang?.text).toContain('实施方案逾期五天未报送');
    expect(liyang?.text).toContain('溧阳市教育局约谈');
    expect(liyang?.text).not.toMatch(/WJ-|武进/);

    const book = await xlsxOf(
      Buffer.from(officeMail?.attachments?.[0]?.content ?? new Uint8Array()).toString('base64'),
    );
    const sheet = book.getWorksheet('约谈通报');
    expect(sheet).toBeDefined();
    const rows: unknown[][] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1) rows.push((row.values as unknown[]).slice(1));
    });
    // Six decisions: LY-101 ×2, LY-102 ×3, WJ-101 ×1.
    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r[3]).sort()).toEqual([
      'LY-101',
      'LY-101',
      'LY-102',
      'LY-102',
      'LY-102',
      'WJ-101',
    ]);
    expect(rows.find((r) => r[5] === '李审核通报')?.[7]).toBe('reviewer:li-liyang');

    const liyangBook = await xlsxOf(
      Buffer.from(liyang?.attachments?.[0]?.content ?? new Uint8Array()).toString('base64'),
    );
    const codes: string[] = [];
    liyangBook.getWorksheet('约谈通报')?.eachRow((row, n) => {
      if (n > 1) codes.push(String(row.getCell(4).value));
    });
    expect(codes.sort()).toEqual(['LY-101', 'LY-101', 'LY-102', 'LY-102', 'LY-102']);

    // The day after, they are no longer "since yesterday", but still listed.
    const next = new RecordingMailer();
    await makeHandler({ ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer: next })(
      { scheduledTime: '2018-01-26T08:00:00+08:00' },
      localContext('daily-check'),
    );
    const later = next.sent.find((m) => m.to.includes('safety-office@czedu.example'))?.text ?? '';
    expect(later).not.toContain('- 约谈/通报：');
    expect(later).toContain('- 约谈 2018-01-26 溧阳市燕山示例小学：实施方案逾期五天未报送');
  });

  it('exports a draft circular of the units picked, in scope only, text kept as text', async () => {
    clock.set('2018-01-26T09:00:00+08:00');
    const client = await enter('CITY-000');
    await record(client, 'WJ-101', {
      kind: 'circular',
      date: '2018-01-26',
      reason: '=HYPERLINK("http://evil.example","x")',
    });
    const answer = await client.get('/w/circular.xlsx?unit=LY-101&unit=WJ-101,LY-102&unit=LY-101');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(answer.headers['content-disposition']).toContain('attachment');
    const book = await xlsxOf(answer.body);
    const sheet = book.worksheets[0];
    expect(sheet?.getCell('A1').value).toBe(
      '关于常州市教育系统集中开展除隐患防事故保安全专项行动工作滞后单位的通报（草稿）',
    );
    const rows: unknown[][] = [];
    sheet?.eachRow((row, n) => {
      if (n > 3) rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [1, '溧阳市', 'LY-101'],
      [2, '武进区', 'WJ-101'],
      [3, '溧阳市', 'LY-102'],
    ]);
    expect(rows[0]?.[4]).toBe('《专项行动实施方案》逾期 7 天');
    expect(rows[0]?.[7]).toContain('2018-01-26 约谈：实施方案逾期五天未报送');
    expect(rows[0]?.[7]).toContain('2018-01-26 通报：李审核通报');
    const evil = sheet?.getRow(5).getCell(8);
    expect(evil?.type).toBe(ExcelJS.ValueType.String);
    expect(String(evil?.value)).toContain('=HYPERLINK("http://evil.example","x")');
    const exported = (await app.adapters.audit.listDay('2018-01-26', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-exported-circular',
    );
    expect(exported.at(-1)?.detail).toEqual({ units: ['LY-101', 'WJ-101', 'LY-102'] });

    // A bureau may export its own units only; nothing picked is a 400.
    const bureau = await enter('LY-000');
    expect((await bureau.get('/w/circular.xlsx?unit=LY-101&unit=WJ-101')).statusCode).toBe(404);
    expect((await bureau.get('/w/circular.xlsx?unit=LY-101')).statusCode).toBe(200);
    expect((await bureau.get('/w/circular.xlsx')).statusCode).toBe(400);
    expect((await bureau.get('/w/circular.xlsx?unit=')).statusCode).toBe(400);
  });
});
