import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, issueLink } from '../../functions/shared/domain/links/form-links.ts';
import { seedCampaign } from '../../infra/seed-campaign.ts';
import { demoCampaign, demoRoster } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 13, the workspace's sessions: a supervising body's link opens a session held in an
 * HttpOnly, SameSite=Strict cookie; it ends when idle, at its hard limit, on sign-out, and when its
 * link is rotated; every POST needs the session's CSRF token, and no POST from another site passes.
 */
describe('workspace sessions', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  const enter = (unit: string) => app.workspace(`/f/${app.links[unit]}/workspace`);

  beforeAll(async () => {
    app = await testApp({ clock });
  });
  afterAll(() => app.cleanup());

  it('sets an HttpOnly, SameSite=Strict cookie, Secure over HTTPS, and keeps the token out of the next URL', async () => {
    const plain = await app.http('GET', `/f/${app.links['LY-000']}/workspace`);
    expect(plain.statusCode).toBe(200);
    expect(plain.cookies).toHaveLength(1);
    expect(plain.cookies[0]).toMatch(
      /^ssc_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(plain.body).toContain('<meta http-equiv="refresh" content="0;url=/w">');
    expect(plain.body).not.toContain(app.links['LY-000']);
    const secure = await app.http('GET', `/f/${app.links['LY-000']}/workspace`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(secure.cookies[0]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    // Only workspace paths are followed: no open redirect.
    for (const next of [
      'https://evil.example/',
      '//evil.example',
      '/f/x',
      '/w/../f',
      '/w/%2e%2e/f',
      '/w\\x',
    ]) {
      const page = await app.http(
        'GET',
        `/f/${app.links['LY-000']}/workspace?next=${encodeURIComponent(next)}`,
      );
      expect(page.body).toContain('content="0;url=/w"');
    }
  });

  it('records who opened the workspace, and the table keeps only the session id’s hash', async () => {
    const client = await enter('WJ-000');
    const id = client.cookie.split('=')[1] ?? '';
    expect(await app.adapters.sessions.get(id)).toBeNull();
    const stored = await app.adapters.sessions.get(hashToken(id));
    expect(stored).toEqual(expect.objectContaining({ bodyCode: 'WJ-000', reviewerId: null }));
    const opened = (await app.adapters.audit.listDay('2018-01-12', { limit: 500 })).items.filter(
      (e) => e.action === 'workspace-opened' && e.actor === 'WJ-000',
    );
    expect(opened.length).toBeGreaterThan(0);
  });

  it('ends after an hour idle, however it was used before, and after twelve hours in any case', async () => {
    clock.set('2018-01-13T09:00:00+08:00');
    const client = await enter('LY-000');
    for (const at of ['09:50', '10:45', '11:40']) {
      clock.set(`2018-01-13T${at}:00+08:00`);
      expect((await client.get('/w/units/LY-101')).statusCode).toBe(200);
    }
    clock.set('2018-01-13T12:41:00+08:00');
    const idle = await client.get('/w/units/LY-101');
    expect(idle.statusCode).toBe(401);
    expect(idle.body).toContain('请重新打开您的专属链接');
    // Once over, it stays over: the item is gone.
    clock.set('2018-01-13T12:42:00+08:00');
    expect((await client.get('/w/units/LY-101')).statusCode).toBe(401);

    const busy = await enter('LY-000');
    for (let minutes = 50; minutes < 12 * 60; minutes += 50) {
      clock.set(new Date(Date.parse('2018-01-13T12:42:00+08:00') + minutes * 60_000).toISOString());
      expect((await busy.get('/w/units/LY-101')).statusCode).toBe(200);
    }
    clock.set(new Date(Date.parse('2018-01-13T12:42:00+08:00') + 12 * 3600_000).toISOString());
    expect((await busy.get('/w/units/LY-101')).statusCode).toBe(401);
  });

  it('ends when the link that opened it is rotated, and the old link opens nothing', async () => {
    clock.set('2018-01-14T09:00:00+08:00');
    const client = await enter('WJ-000');
    expect((await client.get('/w/units/WJ-101')).statusCode).toBe(200);
    const old = app.links['WJ-000'] as string;
    const fresh = await issueLink(
      'WJ-000',
      app.adapters.campaign.id,
      app.adapters,
      clock.now(),
      process.env.LINK_KEY ?? '',
    );
    app.links['WJ-000'] = fresh;
    expect((await client.get('/w/units/WJ-101')).statusCode).toBe(401);
    expect((await app.http('GET', `/f/${old}/workspace`)).statusCode).toBe(404);
    expect((await (await enter('WJ-000')).get('/w/units/WJ-101')).statusCode).toBe(200);
  });

  it('signs out only with the CSRF token, once; signing out again is answered, not an error', async () => {
    const client = await enter('CITY-000');
    await client.get('/w/units/LY-101');
    const forged = await client.post('/w/sign-out', { csrf: 'x'.repeat(43) });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('csrf');
    expect((await client.get('/w/units/LY-101')).statusCode).toBe(200);
    const out = await client.post('/w/sign-out', {});
    expect(out.statusCode).toBe(200);
    expect(out.cookies[0]).toMatch(/^ssc_session=; Max-Age=0;/);
    expect((await client.get('/w/units/LY-101')).statusCode).toBe(401);
    expect((await client.post('/w/sign-out', {})).statusCode).toBe(401);
  });

  it('refuses junk and missing cookies alike', async () => {
    for (const cookies of [[], ['ssc_session=nope'], [`ssc_session=${'A'.repeat(43)}`], ['other=1']]) {
      expect((await app.http('GET', '/w/units/LY-101', { cookies })).statusCode).toBe(401);
    }
  });

  it('refuses a POST from another site on every route, before anything is stored', async () => {
    const zero = `/f/${app.links['LY-101']}/zero-report`;
    const form = {
      body: 'checkedOn=2018-01-14',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of foreign) {
      const refused = await app.http('POST', zero, { ...form, headers: { ...form.headers, ...headers } });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('拒绝来自其他网站的提交');
    }
    expect(await app.adapters.zeroReports.get('LY-101')).toBeNull();
    const same = await app.http('POST', zero, {
      ...form,
      headers: { ...form.headers, origin: 'http://app.test', 'sec-fetch-site': 'same-origin' },
    });
    expect(same.statusCode).toBe(303);
    expect(await app.adapters.zeroReports.get('LY-101')).not.toBeNull();
  });

  it("a named reviewer's link opens the workspace as that person, in that person's scope only", async () => {
    clock.set('2018-01-15T09:00:00+08:00');
    const li = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    const page = await li.get('/w/units/LY-101');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('李审核（溧阳市教育局，示例）');
    expect((await li.get('/w/units/WJ-101')).statusCode).toBe(404);
    expect((await li.get('/w/units/CZ-001')).statusCode).toBe(404);
    const wang = await app.workspace(`/r/${app.reviewerLinks['wang-office']}`);
    expect((await wang.get('/w/units/WJ-101')).statusCode).toBe(200);
    const views = (await app.adapters.audit.listDay('2018-01-15', { limit: 500 })).items.filter(
      (e) => e.action === 'supervisor-viewed-unit',
    );
    expect(views).toContainEqual(expect.objectContaining({ actor: 'reviewer:li-liyang', subject: 'LY-101' }));
    expect(views).toContainEqual(
      expect.objectContaining({ actor: 'reviewer:wang-office', subject: 'WJ-101' }),
    );
    // A reviewer's link is no form link: it opens no unit page.
    expect((await app.http('GET', `/f/${app.reviewerLinks['li-liyang']}`)).statusCode).toBe(404);
    // A school's link is no reviewer link: schools have no workspace.
    expect((await app.http('GET', `/r/${app.links['LY-101']}`)).statusCode).toBe(403);
  });

  it('a reviewer the config no longer lists is shut out at once; listed again, the same link works', async () => {
    const li = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    expect((await li.get('/w/units/LY-101')).statusCode).toBe(200);
    const campaign = demoCampaign();
    const without = { ...campaign, reviewers: campaign.reviewers.filter((r) => r.id !== 'li-liyang') };
    const reload = async (c: typeof campaign) => {
      const roster = demoRoster();
      return seedCampaign({
        clients: testClients(),
        tableName: app.adapters.env.TABLE_NAME,
        campaign: c,
        roster: { ...roster, units: roster.units.filter((u) => u.code in app.links) },
        linkKey: process.env.LINK_KEY ?? '',
        now: clock.now(),
      });
    };
    await reload(without);
    expect((await li.get('/w/units/LY-101')).statusCode).toBe(401);
    expect((await app.http('GET', `/r/${app.reviewerLinks['li-liyang']}`)).statusCode).toBe(404);
    const again = await reload(campaign);
    expect(again.reviewerLinks['li-liyang']).toBe(app.reviewerLinks['li-liyang']);
    const back = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    expect((await back.get('/w/units/LY-101')).statusCode).toBe(200);
    // Moved to another district, the reviewer gets a new link, and the old one dies.
    const moved = {
      ...campaign,
      reviewers: campaign.reviewers.map((r) => (r.id === 'li-liyang' ? { ...r, scope: 'wujin' } : r)),
    };
    const after = await reload(moved);
    expect(after.reviewerLinks['li-liyang']).not.toBe(app.reviewerLinks['li-liyang']);
    expect((await back.get('/w/units/LY-101')).statusCode).toBe(401);
    const wujin = await app.workspace(`/r/${after.reviewerLinks['li-liyang']}`);
    expect((await wujin.get('/w/units/WJ-101')).statusCode).toBe(200);
    expect((await wujin.get('/w/units/LY-101')).statusCode).toBe(404);
    app.reviewerLinks['li-liyang'] = (await reload(campaign)).reviewerLinks['li-liyang'] ?? '';
  });
});
