import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DailyCheckDeps } from '../../functions/daily-check/daily-check.ts';
import { dailyCheckDeps, MailFailuresError, makeHandler } from '../../functions/daily-check/handler.ts';
import { addDays, atLocalTime, type LocalDate } from '../../functions/shared/domain/calendar/calendar.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import { newFormKey, reportHazard } from '../../functions/shared/domain/hazards/hazard-service.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { fileAt } from '../support/filings.ts';
import { demoCampaign, sampleReport } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * The daily check end to end on DynamoDB Local: the real handler, run for every campaign day
 * from 2018-01-10 to 2018-04-05 at 08:00 Asia/Shanghai, over units that file early, on time, late
 * or never, and one with a major hazard left open. A recording mailer keeps the whole run fast;
 * the tests after it send through aws-ses-v2-local and read the mail back.
 */
const campaign = demoCampaign();
const zone = campaign.timeZone;
const checkAt = (day: LocalDate) => atLocalTime(day, '08:00', zone);
const days = (from: LocalDate, to: LocalDate, step = 1): LocalDate[] => {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, step)) out.push(d);
  return out;
};

class RecordingMailer implements Mailer {
  readonly sent: OutboundMail[] = [];
  async send(mail: OutboundMail) {
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

/** Fails the sends `fails` picks (by the mail and its 1-based number); passes the rest on. */
class FlakyMailer implements Mailer {
  private count = 0;
  constructor(
    private readonly inner: Mailer,
    private readonly fails: (mail: OutboundMail, count: number) => boolean,
  ) {}
  async send(mail: OutboundMail) {
    this.count += 1;
    if (this.fails(mail, this.count)) throw new Error('Throttling: Maximum sending rate exceeded.');
    return this.inner.send(mail);
  }
}

const UNITS = ['LY-000', 'LY-101', 'LY-102', 'WJ-000', 'WJ-101', 'CZ-001', 'CITY-000'];
const EMAIL = {
  'LY-000': 'liyang-bureau@czedu.example',
  'WJ-000': 'wujin-bureau@czedu.example',
} as const;

function deps(app: TestApp, mailer: Mailer): DailyCheckDeps {
  return { ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer };
}

function file(app: TestApp, unit: string, deliverableId: string, at: string, version = 1) {
  return fileAt(app.adapters, unit, deliverableId, at, version);
}

describe('the daily check over a whole campaign', () => {
  const clock = manualClock('2018-01-10T00:00:00Z');
  const mailer = new RecordingMailer();
  const byDay = new Map<LocalDate, OutboundMail[]>();
  let app: TestApp;

  /** What happens between checks, by the instant it happens. */
  const events: [string, (app: TestApp) => Promise<unknown>][] = [
    [
      '2018-01-11T10:00:00+08:00',
      (a) => file(a, 'LY-101', 'implementation-plan', '2018-01-11T10:00:00+08:00'),
    ],
    [
      '2018-01-15T09:00:00+08:00',
      (a) => file(a, 'LY-000', 'implementation-plan', '2018-01-15T09:00:00+08:00'),
    ],
    [
      '2018-01-15T10:00:00+08:00',
      async (a) => {
        const unit = await a.adapters.units.get('CZ-001');
        if (!unit) throw new Error('no CZ-001');
        const report = sampleReport({ level: 'major', title: '锅炉房压力容器超期未检' });
        const five = report.five && { ...report.five, deadline: '2018-02-15' };
        return reportHazard(a.adapters, unit, { ...report, five }, newFormKey());
      },
    ],
    [
      '2018-01-16T10:00:00+08:00',
      async (a) => {
        const unit = await a.adapters.units.get('LY-101');
        if (!unit) throw new Error('no LY-101');
        return reportHazard(
          a.adapters,
          unit,
          sampleReport({ title: '<img src=x onerror=alert(1)>' }),
          newFormKey(),
        );
      },
    ],
    [
      '2018-01-18T11:00:00+08:00',
      (a) => file(a, 'WJ-000', 'implementation-plan', '2018-01-18T11:00:00+08:00'),
    ],
    [
      '2018-01-19T23:59:59+08:00',
      (a) => file(a, 'LY-102', 'implementation-plan', '2018-01-19T23:59:59+08:00'),
    ],
    [
      '2018-01-22T10:00:00+08:00',
      (a) => file(a, 'CZ-001', 'implementation-plan', '2018-01-22T10:00:00+08:00'),
    ],
    ['2018-03-01T10:00:00+08:00', (a) => file(a, 'LY-000', 'work-summary', '2018-03-01T10:00:00+08:00')],
    ['2018-03-20T10:00:00+08:00', (a) => file(a, 'LY-101', 'work-summary', '2018-03-20T10:00:00+08:00')],
    ['2018-03-30T10:00:00+08:00', (a) => file(a, 'CZ-001', 'work-summary', '2018-03-30T10:00:00+08:00')],
    ['2018-04-02T09:00:00+08:00', (a) => file(a, 'LY-102', 'work-summary', '2018-04-02T09:00:00+08:00')],
  ];

  beforeAll(async () => {
    app = await testApp({ clock, units: UNITS });
    const handler = makeHandler(deps(app, mailer));
    const pending = [...events];
    for (const day of days('2018-01-10', '2018-04-05')) {
      const at = checkAt(day);
      while (pending[0] && new Date(pending[0][0]) < at) {
        const [when, act] = pending.shift() as (typeof pending)[number];
        clock.set(new Date(when).toISOString());
        await act(app);
      }
      clock.set(at.toISOString());
      const before = mailer.sent.length;
      await handler({ scheduledTime: at.toISOString() }, localContext('daily-check'));
      byDay.set(day, mailer.sent.slice(before));
    }
  }, 120_000);
  afterAll(() => app.cleanup());

  const remindersTo = (email: string) =>
    [...byDay]
      .filter(([, mails]) => mails.some((m) => m.subject.startsWith('【提醒】') && m.to.includes(email)))
      .map(([day]) => day);

  it('reminds each unit on exactly the days its gaps fall on an offset, once a day', () => {
    const planOffsets = ['2018-01-12', '2018-01-16', '2018-01-18', '2018-01-19'];
    expect(remindersTo('ly-101@schools.czedu.example')).toEqual([]);
    expect(remindersTo('ly-102@schools.czedu.example')).toEqual([
      ...planOffsets,
      '2018-03-24',
      '2018-03-28',
      '2018-03-30',
      '2018-03-31',
      '2018-04-02',
    ]);
    const never = new Set([
      ...planOffsets,
      ...days('2018-01-21', '2018-04-05', 2),
      '2018-03-31',
      '2018-04-02',
      '2018-04-04',
    ]);
    expect(remindersTo('wj-101@schools.czedu.example')).toEqual([...never].sort());
    // Late plan (filed 01-22), and a major hazard overdue since its 02-15 deadline: every 2 days from 02-17.
    const hazard = new Set([
      ...planOffsets,
      '2018-01-21',
      ...days('2018-02-17', '2018-04-05', 2),
      '2018-03-24',
      '2018-03-28',
      '2018-03-30',
    ]);
    const cz = remindersTo(demoEmail('CZ-001'));
    expect(cz).toEqual([...hazard].sort());
    for (const mails of byDay.values()) {
      const reminders = mails.filter((m) => m.subject.startsWith('【提醒】')).flatMap((m) => m.to);
      expect(new Set(reminders).size).toBe(reminders.length);
    }
  });

  it('lists every gap in one reminder, with the unit link and English below', () => {
    const mail = byDay.get('2018-02-17')?.find((m) => m.to.includes(demoEmail('CZ-001')));
    expect(mail?.text).toMatch(/挂牌督办的重大隐患 CZ-001-H001 已超过整改期限/);
    expect(mail?.text).toMatch(/https:\/\/forms\.example\/f\/[A-Za-z0-9_-]{43}/);
    expect(mail?.text.indexOf('Major hazard(s) under listed supervision')).toBeGreaterThan(
      mail?.text.indexOf('挂牌督办') ?? 0,
    );
    const both = byDay.get('2018-01-12')?.find((m) => m.to.includes('wj-101@schools.czedu.example'));
    expect(both?.text).toContain('《专项行动实施方案》将于 2018-01-19 截止，还剩 7 天');
  });

  it('sends the office and each district bureau one digest a day, and the closing report once', () => {
    for (const [day, mails] of byDay) {
      const digests = mails.filter((m) => m.subject.includes('每日汇总'));
      expect(digests.map((m) => m.to[0]).sort(), day).toEqual(
        [
          'liyang-bureau@czedu.example',
          'office-head@czedu.example',
          'safety-office@czedu.example',
          'wujin-bureau@czedu.example',
        ].sort(),
      );
    }
    const closing = [...byDay].flatMap(([day, mails]) =>
      mails.filter((m) => m.subject.includes('结束总结报告')).map((m) => ({ day, to: m.to[0] })),
    );
    expect(closing).toEqual(
      expect.arrayContaining([
        { day: '2018-04-01', to: 'safety-office@czedu.example' },
        { day: '2018-04-01', to: 'office-head@czedu.example' },
      ]),
    );
    expect(closing).toHaveLength(2);
    const report = byDay.get('2018-04-01')?.find((m) => m.subject.includes('结束总结报告'));
    expect(report?.text).toContain('== 从未报送的单位 Units that never filed ==');
    const neverFiled = /《工作总结》（(\d+)）：(.*)/.exec(report?.text ?? '');
    expect(neverFiled?.[1]).toBe('3');
    for (const name of ['溧阳市南渡示例初级中学', '武进区教育局（示例）', '武进区湖塘示例实验小学'])
      expect(neverFiled?.[2]).toContain(name);
    expect(report?.text).toContain('CZ-001-H001');
    expect(report?.attachments?.[0]?.filename).toMatch(/\.xlsx$/);
  });

  it("reports yesterday's changes: a filing a second before midnight, and who became overdue", () => {
    const office = byDay.get('2018-01-20')?.find((m) => m.to.includes('safety-office@czedu.example'));
    const text = office?.text ?? '';
    expect(text).toMatch(/- 首次报送：[^\n]*南渡示例初级中学 专项行动实施方案\n/);
    expect(text).toMatch(/- 材料逾期：[^\n]*专项行动实施方案/);
    expect(text.match(/- 材料逾期：/g)).toHaveLength(2);
    const nextDay = byDay.get('2018-01-21')?.find((m) => m.to.includes('safety-office@czedu.example'));
    expect(nextDay?.text).not.toContain('首次报送');
  });

  it('escapes school text in the HTML digest', () => {
    const mail = byDay.get('2018-01-17')?.find((m) => m.to.includes('liyang-bureau@czedu.example'));
    expect(mail?.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail?.html).not.toContain('<img');
  });

  it("keeps each district's digest to its own units", async () => {
    const liyang = [...byDay.values()]
      .flat()
      .filter((m) => m.to.includes('liyang-bureau@czedu.example') && m.subject.includes('每日汇总'));
    expect(liyang.length).toBeGreaterThan(80);
    for (const mail of liyang) {
      expect(mail.text).not.toMatch(/武进|WJ-|CZ-001|市直属/);
      expect(mail.html).not.toMatch(/武进|WJ-|CZ-001|市直属/);
    }
    const last = liyang.at(-1);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(last?.attachments?.[0]?.content ?? new Uint8Array()) as never);
    const codes: string[] = [];
    for (const sheet of book.worksheets)
      sheet.eachRow((row) => {
        row.eachCell((cell) => {
          codes.push(String(cell.value ?? ''));
        });
      });
    expect(codes.join(' ')).not.toMatch(/WJ-|CZ-|武进/);
    expect(codes.join(' ')).toContain('LY-102');
  });

  it('sends nothing twice when a day is run again', async () => {
    const before = mailer.sent.length;
    const handler = makeHandler(deps(app, mailer));
    const report = await handler(
      { scheduledTime: checkAt('2018-02-17').toISOString() },
      localContext('daily-check'),
    );
    expect(mailer.sent.length).toBe(before);
    // The day's run marked it done: a rerun finds that and succeeds without reading a mail.
    expect(report.run).toBe('already-done');
    expect(report.mails).toEqual([]);
  });
});

function demoEmail(code: string): string {
  return `${code.toLowerCase()}@${code.startsWith('CZ') ? 'units' : 'schools'}.czedu.example`;
}

describe('the daily check through aws-ses-v2-local', () => {
  const endpoints = inject('endpoints');
  const clock = manualClock('2018-01-10T00:00:00Z');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, units: UNITS });
    await file(app, 'LY-102', 'implementation-plan', '2018-01-19T10:00:00+08:00');
  });
  afterAll(() => app.cleanup());

  interface StoredMail {
    messageId: string;
    subject: string;
    destination: { to: string[] };
  }
  const store = async () =>
    ((await (await fetch(`${endpoints.sesv2}/store`)).json()) as { emails: StoredMail[] }).emails;

  it('sends what failed on the next run, and nothing twice', async () => {
    const at = checkAt('2018-01-23');
    clock.set(at.toISOString());
    const flaky = new FlakyMailer(app.adapters.mailer, (_, count) => count === 2 || count === 5);
    const handler = makeHandler(deps(app, flaky));
    const first = await handler({ scheduledTime: at.toISOString() }, localContext('daily-check')).then(
      () => null,
      (error: unknown) => error,
    );
    expect(first).toBeInstanceOf(MailFailuresError);
    const failed = (first as MailFailuresError).report.mails.filter((m) => m.outcome === 'failed');
    expect(failed).toHaveLength(2);
    const record = await app.adapters.mailLog.get(
      '2018-01-23',
      failed[0]?.purpose ?? '',
      failed[0]?.recipient ?? '',
    );
    expect(record).toMatchObject({ status: 'failed', error: expect.stringContaining('Throttling') });

    const second = await handler({ scheduledTime: at.toISOString() }, localContext('daily-check'));
    const sentAgain = second.mails.filter((m) => m.outcome === 'sent');
    expect(sentAgain.map((m) => `${m.purpose} ${m.recipient}`).sort()).toEqual(
      failed.map((m) => `${m.purpose} ${m.recipient}`).sort(),
    );
    const third = await handler({ scheduledTime: at.toISOString() }, localContext('daily-check'));
    expect(third.mails.every((m) => m.outcome === 'skipped')).toBe(true);

    const digests = (await store()).filter((m) => /每日汇总.*2018-01-23$/.test(m.subject));
    const recipients = digests.flatMap((m) => m.destination.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients.sort()).toEqual(
      [
        'liyang-bureau@czedu.example',
        'office-head@czedu.example',
        'safety-office@czedu.example',
        'wujin-bureau@czedu.example',
      ].sort(),
    );
  });

  it('sends a digest that parses back, with an xlsx that matches the database', async () => {
    const at = checkAt('2018-01-24');
    clock.set(at.toISOString());
    await makeHandler(deps(app, app.adapters.mailer))(
      { scheduledTime: at.toISOString() },
      localContext('daily-check'),
    );
    const stored = (await store()).find(
      (m) => /每日汇总.*2018-01-24$/.test(m.subject) && m.destination.to.includes(EMAIL['LY-000']),
    );
    expect(stored).toBeDefined();
    // The mail viewer rebuilds the message as an .eml (a JSON-wrapped Buffer); parse it as a mail client would.
    const response = await fetch(
      `${endpoints.sesv2}/get-emlContent?messageId=${encodeURIComponent(stored?.messageId ?? '')}`,
    );
    const { body } = (await response.json()) as { body: { data: number[] } };
    const parsed = await simpleParser(Buffer.from(body.data));
    expect(parsed.subject).toMatch(/溧阳市每日汇总 \/ Daily digest 2018-01-24$/);
    expect(parsed.text).toContain('专项行动实施方案（截止 2018-01-19）：已报送 1/3');
    expect(String(parsed.html)).toContain('<table');
    const attachment = parsed.attachments[0];
    expect(attachment?.filename).toBe('溧阳市-每日汇总-2018-01-24.xlsx');

    // The viewer stores an attachment as base64 and rebuilds the .eml without saying so; undo that.
    const xlsx = Buffer.from(attachment?.content.toString('latin1') ?? '', 'base64');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx as never);
    const sheet = book.getWorksheet('报送情况');
    expect(sheet).toBeDefined();
    const rows: string[][] = [];
    sheet?.eachRow((row, index) => {
      if (index > 1)
        rows.push(
          (row.values as unknown[])
            .slice(1)
            .map((v) => (v instanceof Date ? v.toISOString() : String(v ?? ''))),
        );
    });
    const liyang: string[] = [];
    for await (const unit of app.adapters.units.all()) if (unit.district === 'liyang') liyang.push(unit.code);
    expect(rows.map((r) => r.find((v) => /^LY-\d{3}$/.test(v))).sort()).toEqual(liyang.sort());
    const ly102 = rows.find((r) => r.includes('LY-102'));
    const pointer = await app.adapters.submissions.pointer('LY-102', 'implementation-plan');
    expect(ly102?.join('|')).toContain('按时报送');
    // The filing time is a real date cell: 2018-01-19 10:00 on the campaign clock.
    expect(pointer?.firstReceivedAt).toBe('2018-01-19T02:00:00.000Z');
    expect(ly102).toContain(new Date(Date.UTC(2018, 0, 19, 10, 0)).toISOString());
    const ly101 = rows.find((r) => r.includes('LY-101'));
    expect(ly101?.join('|')).toMatch(/逾期 ?5 ?天/);
  });

  it('takes the day from the scheduled time, on either side of midnight in Asia/Shanghai', async () => {
    const recorder = new RecordingMailer();
    const handler = makeHandler(deps(app, recorder));
    const before = await handler({ scheduledTime: '2018-01-19T23:59:59+08:00' }, localContext('daily-check'));
    const after = await handler({ scheduledTime: '2018-01-19T16:00:00Z' }, localContext('daily-check'));
    expect([before.day, after.day]).toEqual(['2018-01-19', '2018-01-20']);
    const dueToday = recorder.sent.find((m) => m.to.includes('ly-101@schools.czedu.example'));
    expect(dueToday?.text).toContain('《专项行动实施方案》今天（2018-01-19）截止');
    // On 01-20 the plan is 1 day overdue: not a reminder day (every 2 days), so only digests go out.
    expect(after.mails.filter((m) => m.purpose.startsWith('reminder:'))).toEqual([]);
    expect(after.mails.filter((m) => m.purpose.startsWith('digest'))).toHaveLength(4);
  });

  it('refuses an event without a scheduled time, naming the field', async () => {
    const handler = makeHandler(deps(app, new RecordingMailer()));
    const refused = await handler({ time: 'yesterday' }, localContext('daily-check')).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).en).toMatch(/invalid daily-check event: scheduledTime/);
    expect((refused as ValidationError).zh).toMatch(/定时检查事件无效：scheduledTime/);
  });

  it('links a spreadsheet over 10 MB from S3 instead of attaching it', async () => {
    const recorder = new RecordingMailer();
    const big = new Uint8Array(10 * 1024 * 1024 + 1).fill(7);
    const handler = makeHandler({
      ...deps(app, recorder),
      digestWorkbook: async () => ({
        size: big.byteLength,
        bytes: async () => big,
        stream: () => Readable.from([big]),
        dispose: async () => undefined,
      }),
    });
    clock.set('2018-01-25T08:00:00+08:00');
    await handler({ scheduledTime: '2018-01-25T08:00:00+08:00' }, localContext('daily-check'));
    const digest = recorder.sent.find(
      (m) => m.to.includes('safety-office@czedu.example') && m.subject.includes('每日汇总'),
    );
    expect(digest?.attachments).toEqual([]);
    const url = /Full spreadsheet \(too large to attach\): (\S+)/.exec(digest?.text ?? '')?.[1] ?? '';
    expect(url).toMatch(/^https:\/\/forms\.example\/d\/[A-Za-z0-9_-]{43}$/);
    expect(digest?.html).toContain('完整数据表格过大');
    expect(digest?.html).toContain(`href="${url}"`);

    // The link is signed when followed, so it works as long as the link does (28 days)...
    const path = new URL(url).pathname;
    clock.set('2018-02-21T07:59:00+08:00');
    const followed = await app.http('GET', path);
    expect(followed.statusCode).toBe(302);
    const download = await fetch(followed.headers.location ?? '');
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(big.byteLength);
    // ...and then says it expired, in both languages; a made-up token is simply not valid.
    clock.set('2018-02-22T08:00:00+08:00');
    const expired = await app.http('GET', path);
    expect(expired.statusCode).toBe(404);
    expect(expired.body).toContain('下载链接已过期（有效期 28 天）');
    const madeUp = await app.http('GET', `/d/${'x'.repeat(43)}`);
    expect(madeUp.statusCode).toBe(404);
    expect(madeUp.body).toContain('下载链接无效');

    // A late click is no guess: an expired link never counts toward the bad-token limit...
    for (let i = 0; i < 25; i += 1)
      expect((await app.http('GET', path, { sourceIp: '198.51.100.7' })).statusCode).toBe(404);
    // ...while made-up tokens do, as on the form links.
    for (let i = 0; i < 20; i += 1)
      expect((await app.http('GET', `/d/${'y'.repeat(43)}`, { sourceIp: '198.51.100.8' })).statusCode).toBe(
        404,
      );
    expect((await app.http('GET', `/d/${'y'.repeat(43)}`, { sourceIp: '198.51.100.8' })).statusCode).toBe(
      429,
    );
    // A real link is looked up first and answered, whatever else came from its address.
    expect((await app.http('GET', path, { sourceIp: '198.51.100.8' })).statusCode).toBe(404);
    expect((await app.http('GET', path, { sourceIp: '198.51.100.7' })).statusCode).toBe(404);
  });

  it("makes up a reminder that still failed at the next day's check, with that day's gaps", async () => {
    const recorder = new RecordingMailer();
    const toWj = (mail: OutboundMail) => mail.to.includes('wj-101@schools.czedu.example');
    const down = makeHandler(deps(app, new FlakyMailer(recorder, (mail) => toWj(mail))));
    // 01-27: 8 days overdue, a reminder day; every send to WJ-101 fails.
    await expect(
      down({ scheduledTime: '2018-01-27T08:00:00+08:00' }, localContext('daily-check')),
    ).rejects.toBeInstanceOf(MailFailuresError);
    expect(recorder.sent.filter(toWj)).toEqual([]);
    // 01-28 is no reminder day (9 days overdue), but WJ-101 missed yesterday's: it gets one, alone.
    const report = await makeHandler(deps(app, recorder))(
      { scheduledTime: '2018-01-28T08:00:00+08:00' },
      localContext('daily-check'),
    );
    const reminders = report.mails.filter((m) => m.purpose.startsWith('reminder:') && m.outcome === 'sent');
    expect(reminders.map((m) => m.recipient)).toEqual(['wj-101@schools.czedu.example']);
    expect(recorder.sent.find(toWj)?.text).toContain('《专项行动实施方案》已逾期 9 天');
  });

  it('fails the run, sending nothing for it, when another run holds a live claim on a mail', async () => {
    const recorder = new RecordingMailer();
    await app.adapters.mailLog.claim('2018-01-29', 'digest', 'office-head@czedu.example', clock.now());
    const run = makeHandler(deps(app, recorder))(
      { scheduledTime: '2018-01-29T08:00:00+08:00' },
      localContext('daily-check'),
    );
    const error = (await run.then(
      () => null,
      (e: unknown) => e,
    )) as MailFailuresError;
    expect(error).toBeInstanceOf(MailFailuresError);
    expect(error.message).toContain('digest → office-head@czedu.example (in-flight)');
    expect(recorder.sent.filter((m) => m.to.includes('office-head@czedu.example'))).toEqual([]);
    expect(recorder.sent.filter((m) => m.to.includes('safety-office@czedu.example'))).toHaveLength(1);
  });
});
