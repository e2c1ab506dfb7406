import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReviewDeps, reviewVersion } from '../../functions/shared/domain/filing/reviews.ts';
import { parseDashboardQuery } from '../../functions/shared/domain/report/dashboard.ts';
import { rolledDashboard } from '../../functions/shared/domain/report/dashboard-rolled.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import type { DigestScope } from '../../functions/shared/domain/report/model.ts';
import { rollupRules } from '../../functions/shared/domain/report/rollup.ts';
import { admitToRollups } from '../../functions/shared/domain/report/rollup-admission.ts';
import { reviewMail } from '../../functions/shared/mail/review-mail.ts';
import { fullDashboard } from '../support/dashboards.ts';
import { fileAt as fileFiling } from '../support/filings.ts';
import { demoRoster, REPORT_FORM } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 13's scale for the city office: the dashboard's first page from the district rollups and
 * the lag indexes (`rolledDashboard`), reading a few hundred items whatever the campaign's size.
 * Through filings (by the upload path and directly), late filings, sends back and acceptances,
 * refilings, two filings of one unit at once, hazard reports and roster changes (a type change, a
 * withdrawal, a move between districts), the rolled page is the full one (every unit, filing and
 * hazard read; the digest's own figures) to the last field: for the office (unfiltered, page 2,
 * one district, the directly affiliated) and for two bureaus.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;
const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);

beforeAll(async () => {
  app = await testApp({ clock, units: demoRoster().units.map((u) => u.code) });
  // Mails are not this file's subject (other files read the shared mail server's inboxes).
  app.adapters.mailer = { send: async () => ({ messageId: 'kept-by-dashboard-rollups' }) };
});
afterAll(() => app.cleanup());

const VIEWS: { scope: DigestScope; params: Record<string, string> }[] = [
  { scope: { kind: 'office' }, params: {} },
  { scope: { kind: 'office' }, params: { page: '2' } },
  { scope: { kind: 'office' }, params: { district: 'liyang' } },
  { scope: { kind: 'office' }, params: { district: 'affiliated' } },
  { scope: { kind: 'district', district: 'liyang' }, params: {} },
  { scope: { kind: 'district', district: 'jintan' }, params: {} },
];

async function both(scope: DigestScope, params: Record<string, string>) {
  const campaign = app.adapters.campaign;
  const query = parseDashboardQuery(params, campaign, scope);
  const instant = campaignInstant(campaign, clock.now());
  const rolled = await rolledDashboard(campaign, app.adapters, instant, scope, query);
  return { rolled, full: await fullDashboard(app.adapters, instant, scope, query) };
}

async function expectRolledIsFull(views = VIEWS) {
  for (const { scope, params } of views) {
    const { rolled, full } = await both(scope, params);
    const what = `${JSON.stringify(scope)} ${JSON.stringify(params)} at ${clock.now().toISOString()}`;
    expect(rolled, what).not.toBeNull();
    expect(rolled, what).toEqual(full);
  }
}

const fileAt = (unit: string, deliverableId: string, at: string) =>
  fileFiling(app.adapters, unit, deliverableId, at);

const reviewDeps = (): ReviewDeps => ({ ...app.adapters, reviewMail });
async function decide(as: string, unit: string, deliverableId: string, version: number, verdict: string) {
  const body = await app.adapters.units.get(as);
  if (!body) throw new Error(`no ${as}`);
  return reviewVersion(
    reviewDeps(),
    { body, reviewer: null, actor: as },
    unit,
    deliverableId,
    version,
    verdict,
    '请补充附件',
  );
}

async function report(unit: string, fields: Record<string, string> = {}) {
  const response = await app.http('POST', `/f/${app.links[unit]}/hazards`, {
    body: new URLSearchParams({ formKey: randomUUID(), ...REPORT_FORM, ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(response.statusCode, response.body).toBe(303);
}

/**
 * Makes `code` as a table older than the rollups has it: no rollup key, marks or lag keys, its part
 * not in its district's rollup, and the rollups not known to be complete.
 */
async function asBeforeRollups(code: string, rules: ReturnType<typeof rollupRules>) {
  const unit = await app.adapters.units.get(code);
  if (!unit?.rollupKey) throw new Error(`${code} is not in a rollup`);
  const marks = Object.keys(unit.marks ?? {}).map((d, i) => [`#m${i}`, `fm#${d}`] as const);
  const negated = Object.entries(rules.contribution(unit)).map(([name, n]) => [name, -n] as const);
  await testClients().doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: app.tableName,
            Key: { pk: `UNIT#${code}`, sk: 'PROFILE' },
            UpdateExpression: `REMOVE rollupKey, markRev, gsi2pk, gsi2sk, gsi3pk, gsi3sk${marks.map(([n]) => `, ${n}`).join('')}`,
            ...(marks.length > 0 ? { ExpressionAttributeNames: Object.fromEntries(marks) } : {}),
          },
        },
        {
          Update: {
            TableName: app.tableName,
            Key: { pk: 'ROLLUP', sk: unit.rollupKey },
            UpdateExpression: `ADD ${negated.map((_, i) => `#r${i} :r${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(negated.map(([name], i) => [`#r${i}`, name])),
            ExpressionAttributeValues: Object.fromEntries(negated.map(([, n], i) => [`:r${i}`, n])),
          },
        },
      ],
    }),
  );
  await app.adapters.rollups.setReady(false);
}

describe('the rolled dashboard is the full one', () => {
  it('through filings, decisions, refilings and hazard reports, before and after each due date', async () => {
    await expectRolledIsFull();

    // On time, through the upload path and directly; then past the plan's due date, late ones.
    await app.file('LY-101', PLAN, '实施方案.pdf', pdf('LY-101 plan'));
    await fileAt('LY-102', PLAN, '2018-01-16T09:00:00+08:00');
    await fileAt('JT-101', PLAN, '2018-01-19T23:59:00+08:00');
    await fileAt('CZ-001', PLAN, '2018-01-12T09:00:00+08:00');
    await report('LY-103', { level: 'major', area: 'school-buildings', title: '外墙空鼓' });
    await report('JT-102');
    await expectRolledIsFull();

    clock.set('2018-01-26T10:00:00+08:00');
    await fileAt('WJ-101', PLAN, '2018-01-21T09:00:00+08:00');
    await fileAt('WJ-102', PLAN, '2018-01-25T09:00:00+08:00');
    await fileAt('LY-000', PLAN, '2018-01-24T09:00:00+08:00');
    await expectRolledIsFull();

    // Sent back (owed again), accepted, and the sent-back one filed again.
    await decide('LY-000', 'LY-102', PLAN, 1, 'needs-changes');
    await decide('LY-000', 'LY-101', PLAN, 1, 'accepted');
    await decide('CITY-000', 'WJ-101', PLAN, 1, 'accepted');
    await expectRolledIsFull();
    await app.file('LY-102', PLAN, '实施方案（修改）.pdf', pdf('LY-102 plan v2'));
    await expectRolledIsFull();

    // Past the summary's due date too: owed summaries (6 days) rank between late plans.
    clock.set('2018-04-06T10:00:00+08:00');
    await fileAt('WJ-103', PLAN, '2018-02-09T09:00:00+08:00');
    await fileAt('WJ-103', SUMMARY, '2018-03-30T09:00:00+08:00');
    await fileAt('LY-101', SUMMARY, '2018-04-02T09:00:00+08:00');
    await expectRolledIsFull();
  });

  it('through two filings of one unit at once', async () => {
    await Promise.all([
      app.file('XB-101', PLAN, '实施方案.pdf', pdf('XB-101 plan')),
      app.file('XB-101', SUMMARY, '工作总结.pdf', pdf('XB-101 summary')),
    ]);
    const unit = await app.adapters.units.get('XB-101');
    expect(Object.keys(unit?.marks ?? {}).sort()).toEqual([PLAN, SUMMARY]);
    await expectRolledIsFull();
  });

  it('puts a unit from before the rollups into them at the next roster load, whatever is filed meanwhile', async () => {
    const campaign = app.adapters.campaign;
    const rules = rollupRules(campaign);
    await fileAt('LY-104', PLAN, '2018-01-17T09:00:00+08:00');
    await asBeforeRollups('LY-104', rules);
    const instant = campaignInstant(campaign, clock.now());
    const office = parseDashboardQuery({}, campaign, { kind: 'office' });
    expect(await rolledDashboard(campaign, app.adapters, instant, { kind: 'office' }, office)).toBeNull();
    // Filed while outside the rollups: its mark moves, no rollup does.
    await fileAt('LY-104', SUMMARY, '2018-03-20T09:00:00+08:00');
    await app.loadRoster(demoRoster().units.map((u) => u.code));
    expect((await app.adapters.units.get('LY-104'))?.rollupKey).toBeDefined();
    await expectRolledIsFull();

    // A filing between the admission's reads and its write: the write is refused and done again.
    await asBeforeRollups('LY-105', rules);
    let filed = false;
    const admitted = await admitToRollups('LY-105', {
      campaign,
      units: app.adapters.units,
      submissions: {
        pointer: async (unit, deliverableId) => {
          const pointer = await app.adapters.submissions.pointer(unit, deliverableId);
          if (!filed) {
            filed = true;
            await fileAt('LY-105', PLAN, '2018-01-22T09:00:00+08:00');
          }
          return pointer;
        },
      },
    });
    expect(admitted).toBe(true);
    await app.adapters.rollups.setReady(true);
    await expectRolledIsFull();
  });

  it('through roster changes: a type change, a withdrawal, and a move between districts', async () => {
    const rules = rollupRules(app.adapters.campaign);
    const row = (code: string) => demoRoster().units.find((u) => u.code === code) ?? expect.fail(code);
    await app.adapters.units.upsertFromRoster(
      { ...row('JT-101'), type: 'affiliated-unit' },
      clock.now(),
      rules,
    );
    await expectRolledIsFull();

    const roster = demoRoster().units.map((u) => u.code);
    await app.loadRoster(
      roster.filter((code) => code !== 'WJ-102'),
      { withdrawMissing: true },
    );
    expect((await app.adapters.units.get('WJ-102'))?.withdrawnAt).toBeDefined();
    await expectRolledIsFull();
    // Listed again: counted again, with its filing.
    await app.loadRoster(roster);
    await expectRolledIsFull();

    // A unit moved keeps its records indexed under the district it left: the scopes that count it
    // read everything, the district it left still reads its rollups.
    await app.adapters.units.upsertFromRoster({ ...row('LY-103'), district: 'jintan' }, clock.now(), rules);
    const instant = campaignInstant(app.adapters.campaign, clock.now());
    for (const scope of [{ kind: 'office' }, { kind: 'district', district: 'jintan' }] as DigestScope[]) {
      const query = parseDashboardQuery({}, app.adapters.campaign, scope);
      expect(await rolledDashboard(app.adapters.campaign, app.adapters, instant, scope, query)).toBeNull();
    }
    await expectRolledIsFull([{ scope: { kind: 'district', district: 'liyang' }, params: {} }]);
  });

  it('answers null when the rollups are not known to be complete, or the matrix is filtered otherwise', async () => {
    const campaign = app.adapters.campaign;
    const instant = campaignInstant(campaign, clock.now());
    const scope: DigestScope = { kind: 'district', district: 'liyang' };
    for (const params of [{ sort: 'name' }, { state: 'overdue' }, { q: '燕山' }, { type: 'school' }]) {
      const query = parseDashboardQuery(params, campaign, scope);
      expect(await rolledDashboard(campaign, app.adapters, instant, scope, query)).toBeNull();
    }
    await app.adapters.rollups.setReady(false);
    const query = parseDashboardQuery({}, campaign, scope);
    expect(await rolledDashboard(campaign, app.adapters, instant, scope, query)).toBeNull();
    await app.adapters.rollups.setReady(true);
    expect(await rolledDashboard(campaign, app.adapters, instant, scope, query)).not.toBeNull();
  });
});
