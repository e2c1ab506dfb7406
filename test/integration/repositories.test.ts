import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../functions/shared/adapters/dynamo/audit-log.ts';
import { DynamoCampaignRepository } from '../../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoHazardRepository } from '../../functions/shared/adapters/dynamo/hazards-repository.ts';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import { DynamoLinkRepository } from '../../functions/shared/adapters/dynamo/links-repository.ts';
import { DynamoMailLog } from '../../functions/shared/adapters/dynamo/mail-log.ts';
import { DynamoRunLeases, RUN_LEASE_MS } from '../../functions/shared/adapters/dynamo/run-leases.ts';
import type { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from '../../functions/shared/adapters/dynamo/units-repository.ts';
import { ConflictError, ValidationError } from '../../functions/shared/domain/errors.ts';
import { addFiledVersion } from '../../functions/shared/domain/filing/file-version.ts';
import { rollupRules } from '../../functions/shared/domain/report/rollup.ts';
import type { HazardHistoryEntry, HazardRecord, SubmissionVersion } from '../../schemas/records.ts';
import type { RosterRow } from '../../schemas/roster.ts';
import { demoCampaign, demoRoster, rosterRow, sampleReport } from '../support/fixtures.ts';
import { manualClock } from '../support/local-app.ts';
import { freshTable } from '../support/tables.ts';

const RULES = rollupRules(demoCampaign());

const now = new Date('2018-01-12T02:00:00Z');

function rawItem(store: DynamoStore, key: { pk: string; sk: string }) {
  return store.client
    .send(new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }))
    .then((r) => r.Item);
}

const school: RosterRow = rosterRow('LY-101');

function hazard(overrides: Partial<HazardRecord> = {}): HazardRecord {
  return {
    id: 'LY-101-H001',
    unitCode: 'LY-101',
    district: 'liyang',
    area: 'fire-safety',
    level: 'major',
    status: 'registered',
    title: '消防通道堵塞',
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    report: sampleReport({ level: 'major', foundOn: '2018-01-12' }),
    supervision: null,
    photos: [],
    ...overrides,
  };
}

const FIRST_KEY = randomUUID();
/** A report form's one-time key, fresh unless given. */
function formKey(key: string = randomUUID()) {
  return { formKey: key, fingerprint: 'f'.repeat(64) };
}

function entry(overrides: Partial<HazardHistoryEntry> = {}): HazardHistoryEntry {
  return {
    hazardId: 'LY-101-H001',
    seq: 1,
    at: now.toISOString(),
    byUnit: 'LY-101',
    action: 'registered',
    changes: [{ field: 'status', from: null, to: 'registered' }],
    afterClose: false,
    ...overrides,
  };
}

describe('DynamoDB repositories against DynamoDB Local', () => {
  let store: DynamoStore;
  let units: DynamoUnitRepository;
  let hazards: DynamoHazardRepository;

  beforeAll(async () => {
    store = await freshTable();
    units = new DynamoUnitRepository(store);
    hazards = new DynamoHazardRepository(store);
    await units.upsertFromRoster(school, now, RULES);
  });

  it('keeps counters and links when the roster is loaded again', async () => {
    const links = new DynamoLinkRepository(store);
    const other = { ...school, code: 'LY-199', email: 'ly-199@schools.czedu.example' };
    await units.upsertFromRoster(other, now, RULES);
    await links.issue({ unitCode: 'LY-199', campaignId: 'c', hash: 'a'.repeat(64), linkVersion: 1 }, now);
    await units.upsertFromRoster({ ...other, contact: '新联系人' }, now, RULES);
    const unit = await units.get('LY-199');
    expect(unit).toMatchObject({
      contact: '新联系人',
      linkHash: 'a'.repeat(64),
      linkVersion: 1,
      hazardSeq: 0,
      openMajor: 0,
    });
  });

  it('refuses a stale conditional write and leaves the item as it was', async () => {
    await hazards.create(hazard(), entry(), { openMajor: 1 }, formKey(FIRST_KEY));
    const before = await rawItem(store, keys.hazard('LY-101', 'LY-101-H001'));

    // A second writer that also read version 1 tries to write version 2 after the first did.
    const first = hazard({ version: 2, status: 'rectifying', updatedAt: '2018-01-13T00:00:00.000Z' });
    await hazards.update(first, entry({ seq: 2, action: 'rectifying' }), {});
    const afterFirst = await rawItem(store, keys.hazard('LY-101', 'LY-101-H001'));
    const stale = hazard({ version: 2, status: 'closed', title: '覆盖' });
    await expect(
      hazards.update(stale, entry({ seq: 2, action: 'closed' }), { openMajor: -1 }),
    ).rejects.toThrow(ConflictError);

    expect(before).toMatchObject({ version: 1, status: 'registered' });
    expect(await rawItem(store, keys.hazard('LY-101', 'LY-101-H001'))).toEqual(afterFirst);
    expect((await units.get('LY-101'))?.openMajor).toBe(1);
    const history = await hazards.history('LY-101', 'LY-101-H001');
    expect(history.items.map((e) => e.action)).toEqual(['registered', 'rectifying']);
  });

  it('writes nothing of a transaction that fails on one item', async () => {
    const unitBefore = await units.get('LY-101');
    // The history entry for H002 already exists, so its Put condition fails: the hazard and
    // the unit's counter update in the same transaction must not happen either.
    await store.client.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...keys.hazardLog('LY-101', 'LY-101-H002', 1), hazardId: 'LY-101-H002' },
      }),
    );
    const second = hazard({ id: 'LY-101-H002', level: 'general' });
    await expect(
      hazards.create(second, entry({ hazardId: 'LY-101-H002' }), { openGeneral: 1 }, formKey()),
    ).rejects.toBeInstanceOf(ConflictError);

    expect(await hazards.get('LY-101', 'LY-101-H002')).toBeNull();
    expect(await units.get('LY-101')).toEqual(unitBefore);
  });

  it('refuses a hazard number that exists already, and a form key used already, writing nothing', async () => {
    const before = await units.get('LY-101');
    const taken = hazard({ id: 'LY-101-H001', title: 'again' });
    await expect(hazards.create(taken, entry(), { openMajor: 1 }, formKey())).rejects.toBeInstanceOf(
      ConflictError,
    );
    const used = (await hazards.formKey('LY-101', FIRST_KEY))?.formKey ?? '';
    expect(used).toBe(FIRST_KEY);
    const fresh = hazard({ id: 'LY-101-H009', title: 'same form' });
    await expect(
      hazards.create(fresh, entry({ hazardId: 'LY-101-H009' }), { openMajor: 1 }, formKey(used)),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await hazards.get('LY-101', 'LY-101-H009')).toBeNull();
    expect(await units.get('LY-101')).toEqual(before);
  });

  it('hands out hazard numbers with one atomic counter: concurrent reservations never share one', async () => {
    const before = (await units.get('LY-101'))?.hazardSeq ?? 0;
    const firsts = await Promise.all(Array.from({ length: 20 }, () => units.reserveHazardSeq('LY-101', 1)));
    expect(new Set(firsts).size).toBe(20);
    expect(firsts.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => before + i + 1));
  });

  it('never lets an open-hazard counter go below zero', async () => {
    const before = await units.get('LY-101');
    const current = await hazards.get('LY-101', 'LY-101-H001');
    const next = {
      ...(current as HazardRecord),
      version: (current?.version ?? 0) + 1,
      status: 'closed' as const,
    };
    await expect(
      hazards.update(next, entry({ seq: next.version, action: 'closed' }), { openGeneral: -1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await units.get('LY-101')).toEqual(before);
    expect((await hazards.get('LY-101', 'LY-101-H001'))?.version).toBe(current?.version);
  });

  it('applies a hazard, its history and the counters together', async () => {
    const third = hazard({ id: 'LY-101-H002', level: 'general', title: '<img src=x onerror=1>' });
    await store.client.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: keys.hazardLog('LY-101', 'LY-101-H002', 1),
      }),
    );
    await hazards.create(third, entry({ hazardId: 'LY-101-H002' }), { openGeneral: 1 }, formKey());
    expect(await hazards.get('LY-101', 'LY-101-H002')).toEqual(third);
    expect(await units.get('LY-101')).toMatchObject({ openGeneral: 1, openMajor: 1 });
    const liyang = await hazards.list({ district: 'liyang' });
    expect(liyang.items.map((h) => h.id).sort()).toEqual(['LY-101-H001', 'LY-101-H002']);
    expect((await hazards.list({ district: 'wujin' })).items).toEqual([]);
    expect((await hazards.listForUnit('LY-101')).items).toHaveLength(2);
  });
});

describe('pagination', () => {
  let units: DynamoUnitRepository;

  beforeAll(async () => {
    const store = await freshTable();
    units = new DynamoUnitRepository(store);
    for (const row of demoRoster().units) await units.upsertFromRoster(row, now, RULES);
  });

  it('reads every unit page by page, never more than the page size at once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await units.list({}, { limit: 10, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((u) => u.code));
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    const roster = demoRoster().units.map((u) => u.code);
    expect(pages).toBe(Math.ceil(roster.length / 10) + (roster.length % 10 === 0 ? 1 : 0));
    expect(seen.sort()).toEqual([...roster].sort());
  });

  it('lists one district, and the directly affiliated units under the city', async () => {
    const wujin = await units.list({ district: 'wujin' }, { limit: 100 });
    expect(wujin.items.length).toBeGreaterThan(1);
    expect(wujin.items.every((u) => u.district === 'wujin')).toBe(true);
    const city = await units.list({ district: null }, { limit: 100 });
    expect(new Set(city.items.map((u) => u.type))).toEqual(new Set(['affiliated-unit', 'city-office']));
  });

  it('iterates everything lazily', async () => {
    let count = 0;
    for await (const _unit of units.all()) count += 1;
    expect(count).toBe(demoRoster().units.length);
  });

  it('refuses a forged cursor with a validation error', async () => {
    await expect(units.list({}, { cursor: 'not-a-cursor!' })).rejects.toBeInstanceOf(ValidationError);
    const forged = Buffer.from(JSON.stringify({ pk: { S: 'x' }, admin: true })).toString('base64url');
    await expect(units.list({}, { cursor: forged })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('form links, submissions, audit and mail log', () => {
  let store: DynamoStore;

  beforeAll(async () => {
    store = await freshTable();
    await new DynamoUnitRepository(store).upsertFromRoster(school, now, RULES);
  });

  it('rotates a link atomically and refuses a racing issue', async () => {
    const links = new DynamoLinkRepository(store);
    const units = new DynamoUnitRepository(store);
    const [h1, h2, h3] = ['1', '2', '3'].map((c) => c.repeat(64)) as [string, string, string];
    const campaignId = '2018-changzhou';
    await links.issue({ unitCode: 'LY-101', campaignId, hash: h1, linkVersion: 1 }, now);
    await expect(
      links.issue({ unitCode: 'LY-101', campaignId, hash: h2, linkVersion: 2 }, now),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await links.find(h2)).toBeNull();

    await links.issue({ unitCode: 'LY-101', campaignId, hash: h2, linkVersion: 2, replacing: h1 }, now);
    expect((await links.find(h1))?.revokedAt).toBe(now.toISOString());
    expect(await links.find(h2)).toMatchObject({ unitCode: 'LY-101', campaignId: '2018-changzhou' });
    expect((await units.get('LY-101'))?.linkHash).toBe(h2);

    await expect(
      links.issue({ unitCode: 'LY-101', campaignId, hash: h3, linkVersion: 3, replacing: h1 }, now),
    ).rejects.toBeInstanceOf(ConflictError);
    // Revoking a link that is no longer current must not take the working one with it.
    await expect(links.revoke('LY-101', h1, now)).rejects.toBeInstanceOf(ConflictError);
    expect((await units.get('LY-101'))?.linkHash).toBe(h2);
    await links.revoke('LY-101', h2, now);
    expect((await links.find(h2))?.revokedAt).toBeDefined();
    expect((await units.get('LY-101'))?.linkHash).toBeUndefined();
  });

  it('keeps every submission version and moves the current pointer', async () => {
    const submissions = new DynamoSubmissionRepository(store, 'Asia/Shanghai');
    const version = (n: number, onTime: boolean): SubmissionVersion => ({
      unitCode: 'LY-101',
      deliverableId: 'implementation-plan',
      version: n,
      fileKey: `incoming/LY-101/${n}`,
      displayName: '实施方案.pdf',
      contentType: 'application/pdf',
      size: 100 + n,
      etag: `etag-${n}`,
      receivedAt: new Date(now.getTime() + n * 86_400_000).toISOString(),
      onTime,
    });
    const filing = { campaign: demoCampaign(), units: new DynamoUnitRepository(store), submissions };
    await addFiledVersion(filing, version(1, true));
    await addFiledVersion(filing, version(2, false));
    await expect(addFiledVersion(filing, version(2, false))).rejects.toBeInstanceOf(ConflictError);
    await expect(addFiledVersion(filing, version(4, false))).rejects.toBeInstanceOf(ConflictError);

    expect(await submissions.pointer('LY-101', 'implementation-plan')).toMatchObject({
      currentVersion: 2,
      firstOnTime: true,
      firstReceivedAt: version(1, true).receivedAt,
    });
    const versions = await submissions.versions('LY-101', 'implementation-plan');
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    const filers = await submissions.filers('implementation-plan');
    expect(filers.items.map((p) => p.unitCode)).toEqual(['LY-101']);
    expect((await submissions.filers('work-summary')).items).toEqual([]);
  });

  it('appends audit events without overwriting, by campaign day', async () => {
    const audit = new DynamoAuditLog(store, 'Asia/Shanghai');
    // 2018-01-12T17:00Z is already 2018-01-13 in Shanghai.
    const late = await audit.append({
      at: '2018-01-12T17:00:00.000Z',
      actor: 'LY-101',
      action: 'a',
      subject: 's',
      detail: {},
    });
    await audit.append({
      at: '2018-01-12T17:00:00.000Z',
      actor: 'LY-101',
      action: 'b',
      subject: 's',
      detail: {},
    });
    const day = await audit.listDay('2018-01-13');
    expect(day.items.map((e) => e.action).sort()).toEqual(['a', 'b']);
    expect(day.items.find((e) => e.action === 'a')?.id).toBe(late.id);
    expect((await audit.listDay('2018-01-12')).items).toEqual([]);
  });

  it('claims a mail once, and again only after a failure or a lease run out in real time', async () => {
    const lease = manualClock('2026-11-29T10:00:00Z');
    const mail = new DynamoMailLog(store, lease);
    const claim = () => mail.claim('2018-01-12', 'digest', 'Office@Example.org', now);
    expect(await claim()).toEqual({ result: 'claimed', inDoubt: false });
    expect(await claim()).toEqual({ result: 'in-flight' });
    await mail.markFailed('2018-01-12', 'digest', 'office@example.org', 'SES throttled');
    expect(await mail.get('2018-01-12', 'digest', 'office@example.org')).toMatchObject({
      status: 'failed',
      error: 'SES throttled',
    });
    expect(await claim()).toEqual({ result: 'claimed', inDoubt: false });
    await mail.markSent('2018-01-12', 'digest', 'office@example.org', 'm-1', now);
    expect(await claim()).toEqual({ result: 'sent' });
    await expect(mail.markFailed('2018-01-12', 'digest', 'office@example.org', 'late')).rejects.toThrow();
    // A claim whose sender died is taken again only after its lease, on real time: a campaign
    // clock that jumps ahead (a sped-up or restarted simulation) does not make it stale.
    const reminder = (campaignTime: Date) =>
      mail.claim('2018-01-12', 'reminder:LY-101', 'ly-101@x.example', campaignTime);
    expect(await reminder(now)).toEqual({ result: 'claimed', inDoubt: false });
    expect(await reminder(new Date(now.getTime() + 30 * 86_400_000))).toEqual({ result: 'in-flight' });
    // The lease is upload-received's timeout and 30 s: 5½ minutes.
    lease.set('2026-11-29T10:05:00Z');
    expect(await reminder(now)).toEqual({ result: 'in-flight' });
    expect(await mail.failedOn('2018-01-12')).toEqual([]);
    lease.set('2026-11-29T10:06:00Z');
    expect((await mail.failedOn('2018-01-12')).map((m) => m.purpose)).toEqual(['reminder:LY-101']);
    // Its sender may have sent it before dying: the new claim says so.
    expect(await reminder(now)).toEqual({ result: 'claimed', inDoubt: true });
    expect(await mail.get('2018-01-12', 'digest', 'office@example.org')).toMatchObject({
      status: 'sent',
      messageId: 'm-1',
    });
  });

  it('holds a day for one run: a live holder renews, a dead one loses it after the lease, and claims are fenced', async () => {
    const lease = manualClock('2026-11-29T10:00:00Z');
    const runs = new DynamoRunLeases(store, lease);
    const mail = new DynamoMailLog(store, lease);
    const day = '2018-02-01';
    expect(await runs.acquire(day, 'a')).toEqual({ outcome: 'acquired' });
    expect(await runs.acquire(day, 'b')).toEqual({
      outcome: 'held',
      until: lease.now().getTime() + RUN_LEASE_MS,
    });
    // A live holder renews before the lease runs out and is never overtaken.
    lease.set('2026-11-29T10:00:50Z');
    expect(await runs.renew(day, 'a')).toBe(true);
    lease.set('2026-11-29T10:01:30Z');
    expect((await runs.acquire(day, 'b')).outcome).toBe('held');
    expect(await mail.claim(day, 'digest', 'x@example.org', now, { day, holder: 'a' })).toEqual({
      result: 'claimed',
      inDoubt: false,
    });
    // A dead one (no renewal) loses the day a lease later; its claims are then refused.
    lease.set('2026-11-29T10:02:00Z');
    expect(await runs.acquire(day, 'b')).toEqual({ outcome: 'acquired' });
    expect(await runs.renew(day, 'a')).toBe(false);
    expect(await mail.claim(day, 'reminder:LY-101', 'y@example.org', now, { day, holder: 'a' })).toEqual({
      result: 'fenced',
    });
    expect(await mail.get(day, 'reminder:LY-101', 'y@example.org')).toBeNull();
    // The new holder takes over what the dead one left `sending`, as in doubt.
    expect(await mail.claim(day, 'digest', 'x@example.org', now, { day, holder: 'b' })).toEqual({
      result: 'claimed',
      inDoubt: true,
    });
    await runs.finish(day, 'a', true);
    expect((await runs.acquire(day, 'c')).outcome).toBe('held');
    await runs.finish(day, 'b', false);
    expect(await runs.acquire(day, 'c')).toEqual({ outcome: 'acquired' });
    await runs.finish(day, 'c', true);
    expect(await runs.acquire(day, 'd')).toEqual({ outcome: 'done' });
    expect(await runs.renew(day, 'c')).toBe(false);
  });

  it('stores the campaign config and refuses another campaign in the same table', async () => {
    const campaigns = new DynamoCampaignRepository(store);
    const campaign = demoCampaign();
    await campaigns.save(campaign);
    expect(await campaigns.get()).toEqual(campaign);
    await expect(campaigns.save({ ...campaign, id: '2019-changzhou' })).rejects.toBeInstanceOf(ConflictError);
    expect((await campaigns.get())?.id).toBe('2018-changzhou');
  });
});
