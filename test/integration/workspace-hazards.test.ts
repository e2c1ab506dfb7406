import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleReportFields } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';

/**
 * Issue 13: any hazard's full history in the workspace. The office reads any unit's, a bureau its
 * district's; the body that supervises a hazard acts on it there, each action a CSRF-checked POST.
 */
describe('hazards in the workspace', () => {
  const clock = manualClock('2018-01-16T09:00:00+08:00');
  let app: TestApp;
  let path = '';

  beforeAll(async () => {
    app = await testApp({ clock });
    const reported = await app.http('POST', `/f/${app.links['LY-101']}/hazards`, {
      body: new URLSearchParams(
        sampleReportFields({
          formKey: randomUUID(),
          level: 'major',
          title: '食堂后墙开裂',
          foundOn: '2018-01-16',
        }),
      ).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reported.statusCode).toBe(303);
    const id = (reported.headers.location ?? '').split('/').at(-1) ?? '';
    path = `/w/hazards/LY-101/${id}`;
  });
  afterAll(() => app.cleanup());

  it('the office reads the history of a hazard its bureau supervises, read-only; the view is on the audit log', async () => {
    const office = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
    const page = await office.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('食堂后墙开裂');
    expect(page.body).toContain('只读');
    expect(page.body).not.toContain('/actions"');
    const views = (await app.adapters.audit.listDay('2018-01-16', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-viewed-hazard',
    );
    expect(views).toContainEqual(expect.objectContaining({ actor: 'CITY-000', subject: 'LY-101' }));
  });

  it('another district gets the 404 an unknown hazard gets', async () => {
    const wujin = await app.workspace(`/f/${app.links['WJ-000']}/workspace`);
    const foreign = await wujin.get(path);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe((await wujin.get('/w/hazards/LY-101/LY-101-H999')).body);
  });

  it('the supervising bureau reclassifies it with a reason, only with the CSRF token; the history keeps old → new', async () => {
    const bureau = await app.workspace(`/f/${app.links['LY-000']}/workspace`);
    const page = await bureau.get(path);
    expect(page.body).toContain(`action="${path}/actions"`);
    expect(page.body).toMatch(
      /<form class="action" method="post" action="[^"]+">\s*<input type="hidden" name="csrf"/,
    );
    const hazard = async () => app.adapters.hazards.get('LY-101', path.split('/').at(-1) ?? '');
    const before = await hazard();
    const fields = {
      action: 'reclassify',
      level: 'general',
      area: 'school-buildings',
      reason: '经现场复核，属一般隐患',
      version: String(before?.version),
    };
    expect((await bureau.post(`${path}/actions`, { ...fields, csrf: 'forged' })).statusCode).toBe(403);
    expect((await hazard())?.level).toBe('major');
    const done = await bureau.post(`${path}/actions`, fields);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(path);
    const after = await hazard();
    expect(after).toMatchObject({ level: 'general', area: 'school-buildings', supervision: null });
    const shown = await bureau.get(path);
    expect(shown.body).toContain('经现场复核，属一般隐患');
    // The same form again: the stale version is refused, nothing changes twice.
    expect((await bureau.post(`${path}/actions`, fields)).statusCode).toBeLessThan(500);
    expect((await hazard())?.version).toBe(after?.version);
  });
});
