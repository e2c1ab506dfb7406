import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyCheckDeps } from '../../functions/daily-check/daily-check.ts';
import { dailyCheckDeps, makeHandler as makeDailyCheck } from '../../functions/daily-check/handler.ts';
import { ledgerRoute } from '../../functions/http/routes/dashboard-routes.ts';
import { workspaceLinks } from '../../functions/http/workspace/dashboard-page.ts';
import { atLocalTime } from '../../functions/shared/domain/calendar/calendar.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import { newFormKey, reportHazard } from '../../functions/shared/domain/hazards/hazard-service.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { fileAt } from '../support/filings.ts';
import { demoCampaign, sampleReport } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp, type WorkspaceClient } from '../support/local-app.ts';

/**
 * Issue 13, the dashboard against the embedded servers: filings made through a school's link
 * (signed form, the object in S3, S3's event) and through the repository, hazards through the
 * hazard service, then at 2018-01-22 08:00 the real daily check sends its digests. At that same
 * instant the dashboard (`GET /w` through the HTTP function, inside a workspace session opened by
 * the office's or the bureau's link) shows figures equal to the e-mail's and its spreadsheet's, for
 * the city office and for the Liyang bureau, and the ledger download is that spreadsheet.
 */
const campaign = demoCampaign();
const zone = campaign.timeZone;
const PLAN = 'implementation-plan';
const CHECK = atLocalTime('2018-01-22', '08:00', zone);

class RecordingMailer implements Mailer {
  readonly sent: OutboundMail[] = [];
  async send(mail: OutboundMail) {
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

/** Every `data-figure` on the page that holds a number. */
function figures(page: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of page.matchAll(/data-figure="([^"]+)">(\d+)</g)) out.set(m[1] as string, Number(m[2]));
  return out;
}

async function workbook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(bytes) as never);
  return book;
}

function dataRows(book: ExcelJS.Workbook, name: string): unknown[][] {
  const ws = book.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  const out: unknown[][] = [];
  ws.eachRow((row, number) => {
    if (number > 1)
      out.push(
        Array.from({ length: ws.columnCount }, (_, i) => {
          const v = row.getCell(i + 1).value;
          return v instanceof Date ? v.toISOString() : v;
        }),
      );
  });
  return out;
}

describe('the dashboard reads the same campaign model as the digest', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  const mailer = new RecordingMailer();
  let app: TestApp;
  let clients: Record<'office' | 'liyang', WorkspaceClient>;
  const q = (query: Record<string, string>) => {
    const text = new URLSearchParams(query).toString();
    return text ? `?${text}` : '';
  };
  /** The dashboard as the session's browser gets it: 200 and the page. */
  async function page(who: 'office' | 'liyang', query: Record<string, string> = {}): Promise<string> {
    const answer = await clients[who].get(`/w${q(query)}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    return answer.body;
  }
  /** The ledger download, read back with exceljs. */
  async function ledger(who: 'office' | 'liyang', query: Record<string, string> = {}) {
    const answer = await clients[who].get(`/w/ledger.xlsx${q(query)}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/spreadsheetml/);
    expect(answer.headers['content-disposition']).toContain("filename*=UTF-8''");
    return workbook(Buffer.from(answer.body, 'base64'));
  }

  /** Files through the school's link, as a browser and S3 do. */
  async function fileThroughLink(unit: string, fileName: string, bytes: Uint8Array) {
    await app.file(unit, PLAN, fileName, bytes);
  }

  const fileDirect = (unit: string, at: string) => fileAt(app.adapters, unit, PLAN, at);

  async function report(unit: string, overrides: Parameters<typeof sampleReport>[0], deadline: string) {
    const record = await app.adapters.units.get(unit);
    if (!record) throw new Error(`no ${unit}`);
    const base = sampleReport(overrides);
    const five = base.five && { ...base.five, deadline };
    return reportHazard(app.adapters, record, { ...base, five }, newFormKey());
  }

  const mailOf = (scope: string) => {
    const mail = mailer.sent.find(
      (m) => m.subject.includes(`${scope}每日汇总`) && m.subject.includes('2018-01-22'),
    );
    if (!mail) throw new Error(`no digest for ${scope}`);
    return mail;
  };

  beforeAll(async () => {
    app = await testApp({ clock });
    await fileThroughLink('LY-101', '实施方案.pdf', new TextEncoder().encode('%PDF-1.7\n% plan\n'));
    clock.set('2018-01-15T10:00:00+08:00');
    await report(
      'CZ-001',
      { level: 'major', area: 'school-buildings', title: '锅炉房压力容器超期未检' },
      '2018-01-18',
    );
    await report('LY-102', { level: 'major', area: 'fire-safety', title: '配电房无灭火器' }, '2018-02-15');
    await report('LY-101', { title: '消防通道堵塞' }, '2018-01-31');
    await fileDirect('WJ-101', '2018-01-18T11:00:00+08:00');
    await fileDirect('LY-102', '2018-01-21T09:00:00+08:00');
    clock.set(CHECK.toISOString());
    const deps: DailyCheckDeps = { ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer };
    await makeDailyCheck(deps)({ scheduledTime: CHECK.toISOString() }, localContext('daily-check'));
    clients = {
      office: await app.workspace(`/f/${app.links['CITY-000']}/workspace`),
      liyang: await app.workspace(`/f/${app.links['LY-000']}/workspace`),
    };
  }, 120_000);
  afterAll(() => app.cleanup());

  for (const [key, scopeName] of [
    ['office', '全市'],
    ['liyang', '溧阳市'],
  ] as const) {
    it(`${scopeName}: the page's figures are the e-mail's and the spreadsheet's at the check's instant`, async () => {
      const body = await page(key);
      expect(body).toContain('action="/w/sign-out"');
      const shown = figures(body);
      const mail = mailOf(scopeName);
      const attached = mail.attachments?.[0];
      expect(attached?.filename).toMatch(/\.xlsx$/);
      const book = await workbook(attached?.content as Uint8Array);

      // Progress: the mail's line, the overview sheet and the page.
      const overview = dataRows(book, '概况');
      for (const d of campaign.deliverables) {
        const figure = (k: string) => shown.get(`progress.${d.id}.${k}`);
        const line = new RegExp(
          `${d.name.zh}（截止 ${d.dueDate}）：已报送 (\\d+)/(\\d+).*按时 (\\d+)，逾期报送 (\\d+)，退回修改 (\\d+)，逾期未报 (\\d+)，未到期 (\\d+)，审核通过 (\\d+)`,
        ).exec(mail.text);
        expect(line, mail.text).not.toBeNull();
        const [, filed, required, onTime, late, sentBack, overdue, pending, accepted] = (line ?? []).map(
          Number,
        );
        expect([
          figure('required'),
          figure('onTime'),
          figure('late'),
          figure('sentBack'),
          figure('overdue'),
          figure('pending'),
          figure('accepted'),
        ]).toEqual([required, onTime, late, sentBack, overdue, pending, accepted]);
        expect((figure('onTime') ?? 0) + (figure('late') ?? 0)).toBe(filed);
        const row = overview.find((r) => r[0] === d.name.zh);
        expect(row?.slice(2, 7)).toEqual([required, onTime, late, pending, overdue]);
      }

      // Hazards by area: the mail's line (open g/m · closed g/m), the overview sheet and the page.
      for (const area of campaign.hazardDrive.areas) {
        const line = new RegExp(
          `${area.name.zh.replace(/[（）]/g, '.')}：(\\d+)/(\\d+) · (\\d+)/(\\d+)`,
        ).exec(mail.text);
        const fromMail = (line ?? []).slice(1).map(Number);
        const fromPage = ['open.general', 'open.major', 'closed.general', 'closed.major'].map((k) =>
          shown.get(`areas.${area.id}.${k}`),
        );
        expect(fromPage).toEqual(fromMail);
        expect(overview.find((r) => r[0] === area.name.zh)?.slice(1, 5)).toEqual(fromPage);
      }

      // Overdue majors: the mail's list, the overdue sheet and the page.
      const mailMajors = [...mail.text.matchAll(/^- (\S+-H\d{3}) /gm)].map((m) => m[1]);
      const sheetMajors = dataRows(book, '逾期事项').filter((r) => r[0] === '重大隐患逾期');
      expect(shown.get('hazards.overdueMajors')).toBe(mailMajors.length);
      expect(shown.get('hazards.overdueMajors')).toBe(sheetMajors.length);
      expect(shown.get('hazards.ledger')).toBe(dataRows(book, '隐患台账').length);
      expect(shown.get('units')).toBe(dataRows(book, '报送情况').length);
    });
  }

  it('the office sees the whole city; Liyang only its district, on the page and in the ledger', async () => {
    const office = await page('office');
    for (const code of ['LY-101', 'WJ-101', 'CZ-001']) expect(office).toContain(`data-unit="${code}"`);
    expect(office).toContain('data-hazard="CZ-001-H001"');
    expect(figures(office).get('hazards.overdueMajors')).toBe(1);

    const liyang = await page('liyang');
    expect(liyang).toContain('data-unit="LY-102"');
    expect(liyang).not.toMatch(/WJ-|CZ-00/);
    expect(liyang).not.toContain('name="district"');
    const widened = await clients.liyang.get('/w?district=wujin');
    expect(widened.statusCode).toBe(400);
    expect(widened.body).toContain('wujin');
    expect(widened.body).not.toContain('data-unit="WJ-101"');
    const widenedLedger = await clients.liyang.get('/w/ledger.xlsx?district=wujin');
    expect(widenedLedger.statusCode).toBe(400);
    const book = await ledger('liyang');
    expect(dataRows(book, '报送情况').every((r) => String(r[1]).startsWith('LY-'))).toBe(true);
    expect(dataRows(book, '隐患台账').map((r) => r[0])).toEqual(['LY-102-H001', 'LY-101-H001']);
  });

  it('a district’s named reviewer sees its district only, and the audit trail names the person', async () => {
    const li = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    const answer = await li.get('/w');
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('李审核（溧阳市教育局，示例）');
    expect(answer.body).toContain('data-unit="LY-101"');
    expect(answer.body).not.toMatch(/WJ-|CZ-00/);
    expect((await li.get('/w?district=wujin')).statusCode).toBe(400);
    const download = await li.get('/w/ledger.xlsx');
    expect(download.statusCode).toBe(200);
    const book = await workbook(Buffer.from(download.body, 'base64'));
    expect(dataRows(book, '报送情况').every((r) => String(r[1]).startsWith('LY-'))).toBe(true);
    const audit = (await app.adapters.audit.listDay('2018-01-22', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-downloaded-ledger' && e.actor === 'reviewer:li-liyang',
    );
    expect(audit).toEqual([expect.objectContaining({ subject: 'district:liyang' })]);
  });

  it('needs a session: no cookie, or a school’s, gets no dashboard and no ledger', async () => {
    for (const path of ['/w', '/w/ledger.xlsx']) {
      const answer = await app.http('GET', path);
      expect(answer.statusCode).toBe(401);
      expect(answer.body).not.toContain('data-unit=');
    }
    const school = await app.http('GET', `/f/${app.links['LY-101']}/workspace`);
    expect(school.statusCode).toBe(403);
    expect(school.cookies).toEqual([]);
  });

  it('filters, sorts and searches the matrix; the majors list shows deadline and overdue days', async () => {
    const late = await page('office', { state: 'filed-late' });
    expect([...late.matchAll(/data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['LY-102']);
    expect(late).toMatch(/逾期报送·迟2天<br><span>2018-01-21 09:00<\/span>/);
    const found = await page('office', { q: '燕山' });
    expect([...found.matchAll(/data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['LY-101']);
    const byLateness = await page('office');
    const order = [...byLateness.matchAll(/data-unit="([^"]+)"/g)].map((m) => m[1]);
    expect(order.slice(-2)).toEqual(['LY-101', 'WJ-101']);
    expect(byLateness).toMatch(/data-hazard="CZ-001-H001">[\s\S]*?2018-01-18[\s\S]*?逾期 4 天/);
    expect(byLateness).toContain(`href="${workspaceLinks.hazard('CZ-001', 'CZ-001-H001')}"`);
    expect(byLateness).toContain('href="/w/units/LY-101"');
    const en = await page('office', { lang: 'en', overdue: '1' });
    expect(en).toContain('<html lang="en">');
    expect([...en.matchAll(/data-hazard="([^"]+)"/g)].map((m) => m[1])).toEqual(['CZ-001-H001']);
  });

  it('the ledger download is the digest’s spreadsheet now, filtered as asked, and for a past day', async () => {
    const mailBook = await workbook(mailOf('全市').attachments?.[0]?.content as Uint8Array);
    const book = await ledger('office');
    for (const sheet of ['概况', '报送情况', '隐患台账', '逾期事项'])
      expect(dataRows(book, sheet), sheet).toEqual(dataRows(mailBook, sheet));

    const filtered = await ledger('office', { district: 'liyang', state: 'overdue' });
    expect(dataRows(filtered, '报送情况').map((r) => r[1])).toEqual(['LY-000']);
    const overdue = await ledger('office', { state: 'overdue' });
    expect(
      dataRows(overdue, '报送情况')
        .map((r) => r[1])
        .sort(),
    ).toEqual(['CZ-001', 'LY-000', 'WJ-000']);
    expect(dataRows(overdue, '隐患台账').map((r) => r[0])).toEqual(['CZ-001-H001']);

    // 2018-01-20's morning: LY-102 had not filed yet, and CZ-001's major was 2 days overdue.
    const past = await ledger('office', { day: '2018-01-20' });
    const ly102 = dataRows(past, '报送情况').find((r) => r[1] === 'LY-102');
    expect(ly102?.[4]).toBe('逾期1天');
    const overdueMajor = dataRows(past, '逾期事项').find((r) => r[0] === '重大隐患逾期');
    expect(overdueMajor?.[6]).toBe(2);
    const future = await clients.office.get('/w/ledger.xlsx?day=2018-01-23');
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('2018-01-23');

    // A workbook over what one response carries is refused, asking for a narrower filter, and not audited.
    const before = (await app.adapters.audit.listDay('2018-01-22', { limit: 500 })).items.length;
    const office = await app.adapters.units.get('CITY-000');
    if (!office) throw new Error('no CITY-000');
    const event = {
      headers: {},
      queryStringParameters: {},
      requestContext: { http: { method: 'GET', path: '/w/ledger.xlsx', sourceIp: '192.0.2.1' } },
    } as unknown as Parameters<typeof ledgerRoute>[0];
    const refused = await ledgerRoute(
      event,
      app.adapters,
      { body: office, reviewer: null, actor: 'CITY-000' },
      {
        inlineBytes: 1000,
      },
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues[0]).toMatchObject({ path: 'district' });
    expect((refused as ValidationError).issues[0]?.zh).toContain('请先按区县筛选');
    expect((refused as ValidationError).issues[0]?.en).toContain('filter by district first');
    expect((await app.adapters.audit.listDay('2018-01-22', { limit: 500 })).items.length).toBe(before);

    const audit = (await app.adapters.audit.listDay('2018-01-22', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-downloaded-ledger',
    );
    expect(audit.length).toBeGreaterThanOrEqual(4);
    expect(audit.some((e) => e.actor === 'LY-000' && e.subject === 'district:liyang')).toBe(true);
    expect(audit.some((e) => e.actor === 'CITY-000' && e.subject === 'office')).toBe(true);
  });
});
