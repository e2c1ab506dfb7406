import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheckDeps, makeHandler } from '../../functions/daily-check/handler.ts';
import { newFormKey, reportHazard } from '../../functions/shared/domain/hazards/hazard-service.ts';
import { LINK_NOT_FOUND } from '../../functions/shared/domain/links/form-links.ts';
import type { Mailer, OutboundMail } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { sampleReport } from '../support/fixtures.ts';
import { FEW_UNITS, manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * A unit the admin takes off the roster: listed, not touched, until the load is told to withdraw
 * it; then out of reminders, digests and its link, with its records kept; back on the roster, all
 * of it returns, link included.
 */
const clock = manualClock('2018-01-17T10:00:00+08:00');
let app: TestApp;
beforeAll(async () => {
  app = await testApp({ clock });
});
afterAll(() => app.cleanup());

class RecordingMailer implements Mailer {
  readonly sent: OutboundMail[] = [];
  async send(mail: OutboundMail) {
    this.sent.push(mail);
    return { messageId: `recorded-${this.sent.length}` };
  }
}

async function dailyCheck(at: string): Promise<OutboundMail[]> {
  const mailer = new RecordingMailer();
  await makeHandler({ ...dailyCheckDeps(app.adapters, 'https://forms.example'), mailer })(
    { scheduledTime: new Date(at).toISOString() },
    localContext('daily-check'),
  );
  return mailer.sent;
}

/** Every cell of a digest's spreadsheet, as one text. */
async function sheetText(mail: OutboundMail | undefined): Promise<string> {
  const content = mail?.attachments?.[0]?.content;
  if (!content) throw new Error('no spreadsheet attached');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(content) as never);
  const cells: string[] = [];
  for (const sheet of book.worksheets)
    sheet.eachRow((row) => {
      for (const value of row.values as unknown[]) cells.push(String(value ?? ''));
    });
  return cells.join('\n');
}

const pageOf = (unit: string) => app.http('GET', `/f/${app.links[unit]}`);
const SCHOOL = '溧阳市南渡示例初级中学';

describe('a unit taken off the roster', () => {
  it('is listed but kept until withdrawn; withdrawn, it leaves reminders, digests and its link; listed again, it is back', async () => {
    const before = (await pageOf('LY-102')).body;
    expect(before).toContain(SCHOOL);
    // A major hazard past its deadline by the check on 01-18: it would be in every digest.
    const school = await app.adapters.units.get('LY-102');
    if (!school) throw new Error('no LY-102');
    const five = sampleReport().five;
    if (!five) throw new Error('no five implementations');
    const major = await reportHazard(
      app.adapters,
      school,
      sampleReport({ level: 'major', title: '围墙倾斜', five: { ...five, deadline: '2018-01-17' } }),
      newFormKey(),
    );
    const withoutIt = FEW_UNITS.filter((code) => code !== 'LY-102');

    const listed = await app.loadRoster(withoutIt);
    expect(listed).toMatchObject({ missing: ['LY-102'], withdrawn: false });
    expect((await pageOf('LY-102')).statusCode).toBe(200);

    clock.set('2018-01-17T12:00:00+08:00');
    const withdrawal = await app.loadRoster(withoutIt, { withdrawMissing: true });
    expect(withdrawal).toMatchObject({ missing: ['LY-102'], withdrawn: true });
    const gone = await pageOf('LY-102');
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain(LINK_NOT_FOUND.zh);
    const record = await app.adapters.units.get('LY-102');
    expect(record?.withdrawnAt).toBe('2018-01-17T04:00:00.000Z');
    // Loading the same roster again neither lists it nor moves its date.
    clock.set('2018-01-17T13:00:00+08:00');
    expect(await app.loadRoster(withoutIt, { withdrawMissing: true })).toMatchObject({
      missing: [],
      withdrawn: false,
    });
    expect((await app.adapters.units.get('LY-102'))?.withdrawnAt).toBe('2018-01-17T04:00:00.000Z');

    // 2018-01-18 is a reminder day for the plan due 01-19: LY-101 is reminded, LY-102 is not,
    // and neither the office's nor Liyang's digest names it.
    const sent = await dailyCheck('2018-01-18T08:00:00+08:00');
    const reminded = sent.filter((m) => m.subject.startsWith('【提醒】')).flatMap((m) => m.to);
    expect(reminded).toContain('ly-101@schools.czedu.example');
    expect(reminded).not.toContain('ly-102@schools.czedu.example');
    const digests = sent.filter((m) => !m.subject.startsWith('【提醒】'));
    expect(digests.length).toBeGreaterThanOrEqual(2);
    for (const digest of digests) {
      expect(digest.text).not.toContain(SCHOOL);
      expect(digest.html).not.toContain(SCHOOL);
      expect(await sheetText(digest)).not.toContain(major.id);
    }

    // Back on the roster: the same link works again, and the unit is counted and reminded.
    clock.set('2018-01-18T12:00:00+08:00');
    expect(await app.loadRoster(FEW_UNITS)).toMatchObject({ missing: [], withdrawn: false });
    expect((await app.adapters.units.get('LY-102'))?.withdrawnAt).toBeUndefined();
    expect((await pageOf('LY-102')).body).toContain(SCHOOL);
    const next = await dailyCheck('2018-01-19T08:00:00+08:00');
    expect(next.flatMap((m) => m.to)).toContain('ly-102@schools.czedu.example');
    const office = next.find((m) => m.to.includes('safety-office@czedu.example'));
    expect(office?.html).toContain(SCHOOL);
    expect(await sheetText(office)).toContain(major.id);
  });

  it('hands a school’s major hazards to the city office while its bureau is withdrawn', async () => {
    await app.loadRoster(
      FEW_UNITS.filter((code) => code !== 'LY-000'),
      { withdrawMissing: true },
    );
    const school = await app.adapters.units.get('LY-101');
    if (!school) throw new Error('no LY-101');
    const major = await reportHazard(app.adapters, school, sampleReport({ level: 'major' }), newFormKey());
    expect(major.supervision?.supervisorUnit).toBe('CITY-000');
    await app.loadRoster(FEW_UNITS);
    const next = await reportHazard(app.adapters, school, sampleReport({ level: 'major' }), newFormKey());
    expect(next.supervision?.supervisorUnit).toBe('LY-000');
  });
});
