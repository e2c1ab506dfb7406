import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSpool } from '../../functions/shared/adapters/fs/ledger-spool.ts';
import { buildDigest } from '../../functions/shared/domain/report/digest.ts';
import { campaignInstant } from '../../functions/shared/domain/report/instant.ts';
import { loadSnapshot } from '../../functions/shared/domain/report/snapshot.ts';
import { REPORT_FORM } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * Correcting hazard reports through the HTTP handler on the real local servers: the school edits
 * or withdraws a registered report, the supervisor reclassifies; history, counters, the
 * supervisor's list and the digest follow.
 */
const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;

beforeAll(async () => {
  app = await testApp({ clock });
});
afterAll(() => app.cleanup());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const get = (unit: string, path = '') => app.http('GET', `/f/${app.links[unit]}${path}`);

async function report(unit: string, fields: Record<string, string> = {}): Promise<string> {
  const response = await app.http('POST', `/f/${app.links[unit]}/hazards`, {
    body: new URLSearchParams({ formKey: randomUUID(), ...REPORT_FORM, ...fields }).toString(),
    headers: form,
  });
  expect(response.statusCode).toBe(303);
  const location = response.headers.location ?? '';
  return location.slice(location.lastIndexOf('/') + 1);
}

function post(asUnit: string, hazardUnit: string, id: string, fields: Record<string, string>) {
  return app.http('POST', `/f/${app.links[asUnit]}/hazards/${hazardUnit}/${id}/actions`, {
    body: new URLSearchParams(fields).toString(),
    headers: form,
  });
}

/** Posts the same action twice (a double click, a replay): both answered 303, and it acts once. */
async function postTwice(asUnit: string, hazardUnit: string, id: string, fields: Record<string, string>) {
  expect((await post(asUnit, hazardUnit, id, fields)).statusCode).toBe(303);
  expect((await post(asUnit, hazardUnit, id, fields)).statusCode).toBe(303);
}

const history = async (unit: string, id: string) => (await app.adapters.hazards.history(unit, id)).items;
const counters = async (unit: string) => {
  const u = await app.adapters.units.get(unit);
  return { openGeneral: u?.openGeneral, openMajor: u?.openMajor };
};

/** The office's digest at the clock's instant: what it counts open, and every ledger row. */
async function officeDigest() {
  const instant = campaignInstant(app.adapters.campaign, clock.now());
  const spool = await fileSpool();
  try {
    const snapshot = await loadSnapshot(app.adapters.campaign, app.adapters, instant, spool);
    const digest = buildDigest(snapshot, { kind: 'office' });
    const rows: string[] = [];
    for await (const row of spool.rows('office')) rows.push(row.id);
    return { digest, rows };
  } finally {
    await spool.dispose();
  }
}

describe('editing a registered report', () => {
  it('opens prefilled, saves the change once, and the history shows old → new', async () => {
    const id = await report('LY-102');
    const edit = await get('LY-102', `/hazards/LY-102/${id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('value="教学楼东侧"');
    expect(edit.body).toContain('name="version" value="1"');
    const fields = {
      ...REPORT_FORM,
      action: 'edit',
      version: '1',
      location: '教学楼西侧',
      title: '西侧消防通道堵塞',
    };
    await postTwice('LY-102', 'LY-102', id, fields);
    const hazard = await app.adapters.hazards.get('LY-102', id);
    expect(hazard).toMatchObject({
      version: 2,
      title: '西侧消防通道堵塞',
      report: { location: '教学楼西侧' },
    });
    const entries = await history('LY-102', id);
    expect(entries.map((e) => e.action)).toEqual(['report', 'edit']);
    expect(entries[1]?.changes).toContainEqual({
      field: 'report.location',
      from: '教学楼东侧',
      to: '教学楼西侧',
    });
    const page = (await get('LY-102', `/hazards/LY-102/${id}`)).body;
    expect(page).toContain('修改上报内容');
    expect(page).toContain('<del>教学楼东侧</del> → <ins>教学楼西侧</ins>');
    expect(await counters('LY-102')).toEqual({ openGeneral: 1, openMajor: 0 });
  });

  it('a bad edit comes back as typed with each error in place, and stores nothing', async () => {
    const id = await report('LY-102', { title: '楼梯扶手松动' });
    const response = await post('LY-102', 'LY-102', id, {
      ...REPORT_FORM,
      title: '',
      location: '三号楼楼梯',
      'five.deadline': '2018-01-01',
      action: 'edit',
      version: '1',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('请改正标出的项目');
    expect(response.body).toContain('value="三号楼楼梯"');
    expect(response.body).toContain('name="version" value="1"');
    expect(await app.adapters.hazards.get('LY-102', id)).toMatchObject({ version: 1, title: '楼梯扶手松动' });
  });

  it('is refused once rectification started, and a stale form is a conflict asking to reload', async () => {
    const id = await report('LY-102', { title: '配电箱未上锁' });
    const stale = await post('LY-102', 'LY-102', id, { action: 'start-rectifying', version: '1' });
    expect(stale.statusCode).toBe(303);
    // The edit page showed version 1; the hazard is at 2 now.
    const late = await post('LY-102', 'LY-102', id, { ...REPORT_FORM, action: 'edit', version: '1' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('在您打开页面后已有变化，请刷新页面');
    expect(late.body).toContain('reload it and act again');
    // With the current version, the state machine refuses: rectification has started.
    const refused = await post('LY-102', 'LY-102', id, { ...REPORT_FORM, action: 'edit', version: '2' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('当前为「整改中」，不能「修改上报内容」');
    expect((await get('LY-102', `/hazards/LY-102/${id}/edit`)).statusCode).toBe(303);
    expect((await history('LY-102', id)).map((e) => e.action)).toEqual(['report', 'start-rectifying']);
  });

  it('nobody else edits: the bureau is sent to the hazard page and refused by the state machine', async () => {
    const id = await report('LY-102', { title: '围墙裂缝' });
    expect((await get('LY-000', `/hazards/LY-102/${id}/edit`)).statusCode).toBe(303);
    const response = await post('LY-000', 'LY-102', id, {
      ...REPORT_FORM,
      action: 'edit',
      version: '1',
      title: '改',
    });
    expect(response.statusCode).toBe(403);
    expect((await get('WJ-000', `/hazards/LY-102/${id}/edit`)).statusCode).toBe(404);
  });
});

describe('withdrawing a report', () => {
  it('leaves the counts, the supervisor’s list and the digest; the page shows it withdrawn with the reason', async () => {
    const id = await report('LY-101', { level: 'major', title: '食堂燃气管道老化' });
    expect(await counters('LY-101')).toEqual({ openGeneral: 0, openMajor: 1 });
    expect((await get('LY-000')).body).toContain('食堂燃气管道老化');
    const before = await officeDigest();
    expect(before.rows).toContain(id);
    expect(before.digest.stillOpen.rows.map((r) => r.id)).toContain(id);

    const fields = { action: 'withdraw', version: '1', reason: '与 LY-101-H000 重复上报' };
    await postTwice('LY-101', 'LY-101', id, fields);

    expect(await counters('LY-101')).toEqual({ openGeneral: 0, openMajor: 0 });
    expect((await get('LY-000')).body).not.toContain('食堂燃气管道老化');
    const after = await officeDigest();
    expect(after.rows).not.toContain(id);
    expect(after.digest.stillOpen.rows.map((r) => r.id)).not.toContain(id);
    expect(after.digest.stillOpen.count).toBe(before.digest.stillOpen.count - 1);
    expect(after.digest.changes).toContainEqual(
      expect.objectContaining({ kind: 'hazard-withdrawn', subject: `${id} 食堂燃气管道老化` }),
    );

    const page = (await get('LY-101', `/hazards/LY-101/${id}`)).body;
    expect(page).toContain('已撤回');
    expect(page).toContain('与 LY-101-H000 重复上报');
    expect(page).not.toContain('value="start-rectifying"');
    // The record and its history stay; the supervisor still opens it from the history it holds.
    expect((await history('LY-101', id)).map((e) => e.action)).toEqual(['report', 'withdraw']);
    expect((await get('LY-000', `/hazards/LY-101/${id}`)).statusCode).toBe(200);
    const english = (await get('LY-101', `/hazards/LY-101/${id}?lang=en`)).body;
    expect(english).toContain('Report withdrawn on');
  });

  it('is refused without a reason', async () => {
    const id = await report('LY-101', { title: '宿舍插座破损' });
    const response = await post('LY-101', 'LY-101', id, { action: 'withdraw', version: '1', reason: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('请填写撤回理由');
  });
});

describe('reclassification by the supervisor', () => {
  it('general → major lists it with the bureau and moves the counters; major → general lifts it; history keeps both', async () => {
    const id = await report('LY-101', { title: '实验室危化品柜未上锁', area: 'fire-safety' });
    const start = await counters('LY-101');
    const bureauPage = (await get('LY-000', `/hazards/LY-101/${id}`)).body;
    expect(bureauPage).toContain('value="reclassify"');
    expect((await get('LY-000')).body).not.toContain('实验室危化品柜未上锁');

    const raise = {
      action: 'reclassify',
      version: '1',
      level: 'major',
      area: 'hazardous-chemicals',
      reason: '涉及危化品，列为重大隐患',
    };
    await postTwice('LY-000', 'LY-101', id, raise);
    const major = await app.adapters.hazards.get('LY-101', id);
    expect(major).toMatchObject({
      level: 'major',
      area: 'hazardous-chemicals',
      version: 2,
      supervision: { supervisorUnit: 'LY-000', listedOn: '2018-01-15', deadline: '2018-01-31' },
    });
    expect(await counters('LY-101')).toEqual({
      openGeneral: (start.openGeneral ?? 0) - 1,
      openMajor: (start.openMajor ?? 0) + 1,
    });
    expect((await get('LY-000')).body).toContain('实验室危化品柜未上锁');

    const lower = { ...raise, version: '2', level: 'general', reason: '经复核为一般隐患' };
    expect((await post('LY-000', 'LY-101', id, lower)).statusCode).toBe(303);
    expect(await app.adapters.hazards.get('LY-101', id)).toMatchObject({
      level: 'general',
      supervision: null,
    });
    expect(await counters('LY-101')).toEqual(start);
    expect((await get('LY-000')).body).not.toContain('实验室危化品柜未上锁');

    const entries = await history('LY-101', id);
    expect(entries.map((e) => [e.action, e.byUnit, e.note])).toEqual([
      ['report', 'LY-101', undefined],
      ['reclassify', 'LY-000', '涉及危化品，列为重大隐患'],
      ['reclassify', 'LY-000', '经复核为一般隐患'],
    ]);
    expect(entries[1]?.changes).toEqual(
      expect.arrayContaining([
        { field: 'level', from: 'general', to: 'major' },
        { field: 'area', from: 'fire-safety', to: 'hazardous-chemicals' },
      ]),
    );
    expect(entries[2]?.changes).toContainEqual({ field: 'level', from: 'major', to: 'general' });
    const page = (await get('LY-101', `/hazards/LY-101/${id}`)).body;
    expect(page).toContain('经复核为一般隐患');
    expect(page).toContain('<del>general</del> → <ins>major</ins>');
  });

  it('is out of reach of the school itself and of another district’s bureau', async () => {
    const id = await report('LY-101', { title: '操场护栏松动' });
    const fields = {
      action: 'reclassify',
      version: '1',
      level: 'major',
      area: 'fire-safety',
      reason: '升级',
    };
    expect((await post('LY-101', 'LY-101', id, fields)).statusCode).toBe(403);
    expect((await post('WJ-000', 'LY-101', id, fields)).statusCode).toBe(404);
    expect((await get('WJ-000', `/hazards/LY-101/${id}`)).statusCode).toBe(404);
    expect((await post('LY-000', 'LY-101', id, { ...fields, reason: '' })).statusCode).toBe(400);
    expect(await app.adapters.hazards.get('LY-101', id)).toMatchObject({ version: 1, level: 'general' });
  });

  it('the city office reclassifies a directly affiliated unit’s hazard', async () => {
    const id = await report('CZ-001', { title: '校车座椅破损', area: 'school-bus' });
    const fields = {
      action: 'reclassify',
      version: '1',
      level: 'major',
      area: 'school-bus',
      reason: '校车安全',
    };
    expect((await post('LY-000', 'CZ-001', id, fields)).statusCode).toBe(404);
    expect((await post('CITY-000', 'CZ-001', id, fields)).statusCode).toBe(303);
    expect(await app.adapters.hazards.get('CZ-001', id)).toMatchObject({
      level: 'major',
      supervision: { supervisorUnit: 'CITY-000' },
    });
    expect((await get('CITY-000')).body).toContain('校车座椅破损');
  });
});
