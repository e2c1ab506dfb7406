import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import { recountTally } from '../../functions/shared/domain/hazards/tally-recount.ts';
import { type DashboardView, parseDashboardQuery } from '../../functions/shared/domain/report/dashboard.ts';
import { talliedDashboard } from '../../functions/shared/domain/report/dashboard-load.ts';
import { rolledDashboard } from '../../functions/shared/domain/report/dashboard-rolled.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { DigestScope } from '../../functions/shared/domain/report/model.ts';
import { seedCampaign } from '../../infra/seed-campaign.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import type { Roster } from '../../schemas/roster.ts';
import { fullDashboard } from '../support/dashboards.ts';
import { demoRoster, REPORT_FORM } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';
import { EXAMPLE_ROW, hazardWorkbook } from '../support/workbooks.ts';

/**
 * Issue 13's scale: the dashboard counts hazards from the tallies kept on each unit's profile
 * (`talliedDashboard`), never reading the hazards. Through the real HTTP handler and upload path
 * on the embedded servers, every kind of hazard change (reports of each kind, the closed loop, a
 * refusal, an extension, edits, withdrawal, reclassification, a bulk import, reports at once), the
 * tallied dashboard is the full one (`dashboardOfSnapshot` over `loadSnapshot`, every hazard read,
 * the digest's own figures) to the last field, for the office and for each district, now and
 * once major hazards are overdue.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;

const UNITS = ['CITY-000', 'CZ-001', 'LY-000', 'LY-101', 'LY-102', 'JT-000', 'JT-101'];

beforeAll(async () => {
  app = await testApp({ clock, units: UNITS });
  // The reports' mails are not this file's subject: they stay here, off the shared mail server
  // whose inboxes other files read (JT-101's first mail belongs to the uploads test).
  app.adapters.mailer = { send: async () => ({ messageId: 'kept-by-hazard-tallies' }) };
});
afterAll(() => app.cleanup());

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function report(unit: string, fields: Record<string, string> = {}): Promise<string> {
  const response = await app.http('POST', `/f/${app.links[unit]}/hazards`, {
    body: new URLSearchParams({ formKey: randomUUID(), ...REPORT_FORM, ...fields }).toString(),
    headers: form,
  });
  expect(response.statusCode, response.body).toBe(303);
  const location = response.headers.location ?? '';
  return location.slice(location.lastIndexOf('/') + 1);
}

async function act(asUnit: string, unit: string, id: string, fields: Record<string, string>) {
  const version = String((await app.adapters.hazards.get(unit, id))?.version ?? 0);
  const response = await app.http('POST', `/f/${app.links[asUnit]}/hazards/${unit}/${id}/actions`, {
    body: new URLSearchParams({ version, ...fields }).toString(),
    headers: form,
  });
  expect(response.statusCode, response.body).toBe(303);
}

const SCOPES: DigestScope[] = [
  { kind: 'office' },
  { kind: 'district', district: 'liyang' },
  { kind: 'district', district: 'jintan' },
];

/** The dashboard three ways at the clock's instant, for a query: the tallied one, the rolled one and the full one. */
async function bothWays(scope: DigestScope, params: Record<string, string> = {}) {
  const campaign = app.adapters.campaign;
  const query = parseDashboardQuery(params, campaign, scope);
  const instant = campaignInstant(campaign, clock.now());
  const tallied = await talliedDashboard(campaign, app.adapters, instant, scope, query);
  const rolled = await rolledDashboard(campaign, app.adapters, instant, scope, query);
  return { tallied, rolled, full: await fullDashboard(app.adapters, instant, scope, query) };
}

/** The unfiltered page, and the major hazards' list filtered and paged. */
const PARAMS: Record<string, string>[] = [{}, { overdue: '1' }, { area: 'fire-safety' }, { hpage: '2' }];

async function expectSameEverywhere(): Promise<DashboardView> {
  let office: DashboardView | null = null;
  for (const scope of SCOPES)
    for (const params of PARAMS) {
      const { tallied, rolled, full } = await bothWays(scope, params);
      expect(tallied, `${JSON.stringify(scope)} ${JSON.stringify(params)}`).toEqual(full);
      // The district rollups add up the same tallies (`dashboard-rollups.test.ts` for filings and the roster).
      expect(rolled, `rolled: ${JSON.stringify(scope)} ${JSON.stringify(params)}`).toEqual(full);
      if (scope.kind === 'office' && Object.keys(params).length === 0) office = full;
    }
  if (!office) throw new Error('no office view');
  return office;
}

describe('the tallied dashboard is the full one', () => {
  it('through reports, the closed loop, corrections, an import and reports at once', async () => {
    const empty = await expectSameEverywhere();
    expect(empty.ledgerCount).toBe(0);

    // Each kind of report: open general, fixed on the spot, major (listed for supervision).
    const general = await report('LY-101');
    await report('LY-101', {
      title: '灭火器过期',
      fixedOnSpot: 'yes',
      fixNote: '已更换',
      area: 'fire-safety',
    });
    const major = await report('LY-102', { level: 'major', area: 'school-buildings', title: '外墙空鼓' });
    const affiliated = await report('CZ-001', { level: 'major', title: '配电房漏水', area: 'fire-safety' });
    const jintan = await report('JT-101', { area: 'food-safety', title: '食堂冷库温度异常' });
    await expectSameEverywhere();

    // The closed loop, a refusal and an extension.
    await act('LY-101', 'LY-101', general, { action: 'start-rectifying' });
    await act('LY-101', 'LY-101', general, { action: 'submit-for-acceptance', note: '已清理' });
    await expectSameEverywhere();
    await act('LY-101', 'LY-101', general, { action: 'accept', note: '自行验收合格' });
    await act('LY-102', 'LY-102', major, { action: 'start-rectifying' });
    await act('LY-102', 'LY-102', major, { action: 'submit-for-acceptance', note: '已修复' });
    await act('LY-000', 'LY-102', major, { action: 'refuse', reason: '仍有空鼓' });
    await act('CZ-001', 'CZ-001', affiliated, {
      action: 'request-extension',
      newDeadline: '2018-02-28',
      reason: '需招标施工',
    });
    await act('CITY-000', 'CZ-001', affiliated, { action: 'decide-extension', grant: 'yes', note: '同意' });
    await expectSameEverywhere();

    // Corrections: an edit that moves area and level, a withdrawal, reclassifications both ways.
    const edited = await report('JT-101', { title: '围墙裂缝' });
    await act('JT-101', 'JT-101', edited, {
      ...REPORT_FORM,
      action: 'edit',
      title: '围墙裂缝（重大）',
      level: 'major',
      area: 'school-buildings',
    });
    const withdrawn = await report('LY-101', { level: 'major', title: '重复上报' });
    await act('LY-101', 'LY-101', withdrawn, { action: 'withdraw', reason: '与另一条重复' });
    await act('JT-000', 'JT-101', jintan, {
      action: 'reclassify',
      level: 'major',
      area: 'food-safety',
      reason: '涉及食品安全，列为重大',
    });
    await act('JT-000', 'JT-101', edited, {
      action: 'reclassify',
      level: 'general',
      area: 'construction',
      reason: '经核查属一般隐患',
    });
    await expectSameEverywhere();

    // A bulk import, and four reports of one unit at once (each moves the same counters).
    const rows = Array.from({ length: 30 }, () => EXAMPLE_ROW);
    expect(await app.importHazards('LY-102', await hazardWorkbook(rows), '隐患清单.xlsx')).toMatchObject([
      { outcome: 'imported', rows: 30 },
    ]);
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        report('LY-101', { title: `同时上报 ${i}`, level: i % 2 === 0 ? 'general' : 'major' }),
      ),
    );
    const busy = await expectSameEverywhere();
    // 6 reports (the withdrawn one is in no count), 30 imported, 4 at once.
    expect(busy.ledgerCount).toBe(40);
    expect(busy.openMajorCount).toBeGreaterThan(4);

    // Once the supervision deadlines pass, "overdue" is decided at the page's own instant.
    clock.set('2018-02-05T09:00:00+08:00');
    const later = await expectSameEverywhere();
    expect(later.overdueMajorCount).toBeGreaterThan(0);
    expect(later.matrix.rows.some((r) => r.overdueMajors > 0)).toBe(true);
    clock.set('2018-01-15T10:00:00+08:00');
  }, 120_000);
});

describe('a unit whose hazards predate tallies', () => {
  /** Makes the unit look as an earlier version left it: its hazards, no tally, not `tallied`. */
  async function untally(code: string): Promise<UnitRecord> {
    const unit = await app.adapters.units.get(code);
    if (!unit) throw new Error(code);
    const counters = Object.keys(unit.tally ?? {});
    const names = Object.fromEntries(counters.map((c, i) => [`#t${i}`, c]));
    await testClients().doc.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: keys.unit(code),
        UpdateExpression: `REMOVE tallied, tallyRev${counters.map((_, i) => `, #t${i}`).join('')}`,
        ...(counters.length > 0 ? { ExpressionAttributeNames: names } : {}),
      }),
    );
    const bare = await app.adapters.units.get(code);
    if (!bare) throw new Error(code);
    return bare;
  }

  it('makes the page read everything until a recount, which a concurrent report cannot spoil', async () => {
    await report('JT-101', { title: '旧版本上报的隐患' });
    const bare = await untally('JT-101');
    expect(bare.tally).toEqual({});
    const campaign = app.adapters.campaign;
    const instant = campaignInstant(campaign, clock.now());
    const jintan: DigestScope = { kind: 'district', district: 'jintan' };
    const query = parseDashboardQuery({}, campaign, jintan);
    expect(await talliedDashboard(campaign, app.adapters, instant, jintan, query)).toBeNull();
    // Liyang's units are all tallied: its page still reads no hazard.
    const liyang: DigestScope = { kind: 'district', district: 'liyang' };
    expect(
      await talliedDashboard(
        campaign,
        app.adapters,
        instant,
        liyang,
        parseDashboardQuery({}, campaign, liyang),
      ),
    ).not.toBeNull();

    // A report lands between the recount's reading and its write: the write is refused, and the
    // second attempt counts it too.
    let raced = false;
    const units = {
      get: (code: string) => app.adapters.units.get(code),
      replaceTally: async (unit: UnitRecord, tally: Record<string, number>) => {
        if (!raced) {
          raced = true;
          await report('JT-101', { title: '统计期间上报', level: 'major' });
        }
        return app.adapters.units.replaceTally(unit, tally);
      },
    };
    expect(await recountTally('JT-101', { ...app.adapters, units })).toBe(true);
    expect(raced).toBe(true);
    expect((await app.adapters.units.get('JT-101'))?.tallied).toBe(true);
    expect(await recountTally('JT-101', { ...app.adapters, units })).toBe(false);
    await expectSameEverywhere();
  });

  it('is not recounted while an import of it is in progress (its completion counts the file)', async () => {
    await untally('CZ-001');
    const importing = {
      unitCode: 'CZ-001',
      etag: 'an-import-in-progress',
      fileName: '隐患清单.xlsx',
      status: 'importing' as const,
      rowCount: 0,
      errors: [],
      firstSeq: 90,
      createdAt: clock.now().toISOString(),
    };
    await app.adapters.imports.save(importing);
    expect(await recountTally('CZ-001', app.adapters)).toBe(false);
    expect((await app.adapters.units.get('CZ-001'))?.tallied).toBeUndefined();
    // Once it completes, the next load recounts the unit (the last test below).
    await app.adapters.imports.complete(importing, {}, clock.now());
  });

  it('is recounted by the next roster load', async () => {
    await untally('LY-102');
    await app.loadRoster(UNITS);
    expect((await app.adapters.units.get('LY-102'))?.tallied).toBe(true);
    await expectSameEverywhere();
  });
});

describe('a unit the roster moves to another district', () => {
  it('makes the pages of its scope read everything; the district it left still reads the tallies', async () => {
    const roster = demoRoster();
    const moved: Roster = {
      ...roster,
      units: roster.units
        .filter((u) => UNITS.includes(u.code))
        .map((u) => (u.code === 'JT-101' ? { ...u, district: 'liyang' } : u)),
    };
    await seedCampaign({
      clients: testClients(),
      tableName: app.tableName,
      campaign: app.adapters.campaign,
      roster: moved,
      linkKey: process.env.LINK_KEY ?? '',
      now: clock.now(),
    });
    expect(await app.adapters.units.get('JT-101')).toMatchObject({ district: 'liyang', moved: true });
    const campaign = app.adapters.campaign;
    const instant = campaignInstant(campaign, clock.now());
    for (const scope of [{ kind: 'office' }, { kind: 'district', district: 'liyang' }] as DigestScope[])
      expect(
        await talliedDashboard(
          campaign,
          app.adapters,
          instant,
          scope,
          parseDashboardQuery({}, campaign, scope),
        ),
      ).toBeNull();
    const { tallied, full } = await bothWays({ kind: 'district', district: 'jintan' });
    expect(tallied).not.toBeNull();
    expect(tallied).toEqual(full);
    // Loaded again unchanged, it stays marked: its old records are still where they were.
    await seedCampaign({
      clients: testClients(),
      tableName: app.tableName,
      campaign,
      roster: moved,
      linkKey: process.env.LINK_KEY ?? '',
      now: clock.now(),
    });
    expect((await app.adapters.units.get('JT-101'))?.moved).toBe(true);
    expect((await app.adapters.units.get('LY-101'))?.moved).toBeUndefined();
  });
});
