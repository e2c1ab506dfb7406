import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import type { AuditLog } from '../../functions/shared/ports.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { sampleReportFields } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp, type WorkspaceClient } from '../support/local-app.ts';

/**
 * Issue 13, the supervisors' entry: the city office and a district bureau open, read-only, what
 * the units in their scope filed, every version with its SHA-256; everyone else gets one 404.
 * Each view and each open is on the audit log, and no log line holds a form-link token.
 */
const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);
/** A ZIP's local-file-header magic: what the content check takes for an OOXML container. */
const docx = (text: string) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode(text)]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const unescapeHtml = (s: string) =>
  s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");

describe('supervisors open what the units in their scope filed', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  const first = pdf('实施方案 first draft');
  const second = pdf('实施方案 final');
  const summary = docx('工作总结');

  const file = (unit: string, deliverableId: string, fileName: string, bytes: Uint8Array) =>
    app.file(unit, deliverableId, fileName, bytes);

  const get = (unit: string, path: string) => app.http('GET', `/f/${app.links[unit]}${path}`);
  const sessions = new Map<string, WorkspaceClient>();
  /** A GET inside `unit`'s workspace session (one per unit, opened from its own link). */
  const ws = async (unit: string, path: string) => {
    let client = sessions.get(unit);
    if (!client) {
      client = await app.workspace(`/f/${app.links[unit]}/workspace`);
      sessions.set(unit, client);
    }
    return client.get(path);
  };
  const auditOf = async (action: string) =>
    (await app.adapters.audit.listDay('2018-01-12', { limit: 500 })).items.filter((e) => e.action === action);

  beforeAll(async () => {
    app = await testApp({ clock });
    await file('LY-101', PLAN, '实施方案.pdf', first);
    await file('LY-101', PLAN, '实施方案（定稿）.pdf', second);
    await file('LY-101', SUMMARY, '工作总结.docx', summary);
    await file('WJ-101', PLAN, '武进实施方案.pdf', pdf('wujin'));
  });
  afterAll(() => app.cleanup());

  it('the city office opens a school: its details, states and every version, newest first, with SHA-256', async () => {
    const page = await ws('CITY-000', '/w/units/LY-101');
    expect(page.statusCode).toBe(200);
    const body = unescapeHtml(page.body);
    expect(body).toContain('溧阳市燕山示例小学');
    expect(body).toContain('LY-101');
    expect(body).toContain('示例联系人');
    expect(body).toContain('已按时报送');
    expect(body).toContain(`SHA-256 ${sha256(first)}`);
    expect(body).toContain(`SHA-256 ${sha256(second)}`);
    expect(body).toContain(`SHA-256 ${sha256(summary)}`);
    expect(body).toContain('2018-01-12 09:00');
    expect(body.indexOf('实施方案（定稿）.pdf')).toBeLessThan(body.indexOf('实施方案.pdf'));
    const base = '/w/units/LY-101/files';
    for (const href of [`${base}/${PLAN}/2`, `${base}/${PLAN}/1`, `${base}/${SUMMARY}/1`]) {
      expect(body).toContain(`href="${href}"`);
    }
    const english = await ws('CITY-000', '/w/units/LY-101?lang=en');
    expect(english.body).toContain('filed on time');
  });

  it('opens PDFs inline and a Word file as a download, each under its own name', async () => {
    const disposition = (location: string) =>
      new URL(location).searchParams.get('response-content-disposition') ?? '';
    const plan = await ws('CITY-000', `/w/units/LY-101/files/${PLAN}/1`);
    expect(plan.statusCode).toBe(302);
    expect(disposition(plan.headers.location ?? '')).toMatch(
      /^inline; filename="[^"]+"; filename\*=UTF-8''%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88\.pdf$/,
    );
    const bytes = await fetch(plan.headers.location ?? '');
    expect(bytes.status).toBe(200);
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(first);

    const wujin = await ws('WJ-000', '/w/units/WJ-101/files/implementation-plan/1');
    expect(disposition(wujin.headers.location ?? '')).toMatch(/^inline;/);
    const doc = await ws('LY-000', `/w/units/LY-101/files/${SUMMARY}/1`);
    expect(doc.statusCode).toBe(302);
    expect(disposition(doc.headers.location ?? '')).toMatch(
      /^attachment; filename=".*\.docx"; filename\*=UTF-8''/,
    );
    expect(new Uint8Array(await (await fetch(doc.headers.location ?? '')).arrayBuffer())).toEqual(summary);

    expect((await ws('CITY-000', `/w/units/LY-101/files/${PLAN}/3`)).statusCode).toBe(404);
    expect((await ws('CITY-000', `/w/units/LY-101/files/${PLAN}/x`)).statusCode).toBe(404);
  });

  it('a bureau opens its own district, and gets one and the same 404 for another district and an unknown code', async () => {
    expect((await ws('LY-000', '/w/units/LY-101')).statusCode).toBe(200);
    expect((await ws('LY-000', '/w/units/LY-102')).statusCode).toBe(200);
    const foreign = await ws('LY-000', '/w/units/WJ-101');
    const unknown = await ws('LY-000', '/w/units/LY-999');
    expect(foreign.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect(foreign.body).toContain('没有这个单位');
    expect((await ws('LY-000', `/w/units/WJ-101/files/${PLAN}/1`)).body).toBe(unknown.body);
    // A directly affiliated unit is the city office's, not a bureau's.
    expect((await ws('LY-000', '/w/units/CZ-001')).statusCode).toBe(404);
    expect((await ws('CITY-000', '/w/units/CZ-001')).statusCode).toBe(200);
  });

  it('a school supervises nobody, not even itself: it has no workspace', async () => {
    for (const path of ['/workspace', '/units/LY-102', '/units/LY-101', '/units?code=LY-101']) {
      const refused = await get('LY-101', path);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('只有市教育局安稳处和各辖市（区）教育局可以进入督查工作台');
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    expect((await get('CZ-001', '/workspace')).statusCode).toBe(403);
    // Without a session, no workspace path answers, whatever the unit.
    for (const path of ['/w/units/LY-101', `/w/units/LY-101/files/${PLAN}/1`, '/w/units?code=LY-101']) {
      const bare = await app.http('GET', path);
      expect(bare.statusCode).toBe(401);
      expect(bare.body).toContain('工作台会话已结束');
    }
  });

  it('a withdrawn unit is answered like an unknown one', async () => {
    await app.loadRoster(['LY-000', 'LY-101', 'WJ-000', 'WJ-101', 'CZ-001', 'CITY-000'], {
      withdrawMissing: true,
    });
    try {
      const withdrawn = await ws('LY-000', '/w/units/LY-102');
      expect(withdrawn.statusCode).toBe(404);
      expect(withdrawn.body).toBe((await ws('LY-000', '/w/units/LY-999')).body);
    } finally {
      await app.loadRoster(['LY-000', 'LY-101', 'LY-102', 'WJ-000', 'WJ-101', 'CZ-001', 'CITY-000']);
    }
  });

  it('the office and a bureau find a unit by code from their own page', async () => {
    const own = unescapeHtml((await get('LY-000', '')).body);
    expect(own).toContain(`<form method="get" action="/f/${app.links['LY-000']}/units">`);
    expect(own).toContain(`<a href="/f/${app.links['LY-000']}/workspace">`);
    // The form enters the workspace (a session) and goes on to the unit, keeping the language.
    const entered = await get('LY-000', '/units?code=ly-101&lang=en');
    expect(entered.statusCode).toBe(200);
    expect(entered.body).toContain(
      '<meta http-equiv="refresh" content="0;url=/w/units?code=ly-101&amp;lang=en">',
    );
    expect((await ws('LY-000', '/w/units?code=ly-101')).headers.location).toBe('/w/units/LY-101');
    expect((await ws('LY-000', '/w/units?code=LY-102&lang=en')).headers.location).toBe(
      '/w/units/LY-102?lang=en',
    );
    expect((await get('LY-000', '?lang=en')).body).toContain('<input type="hidden" name="lang" value="en">');
    const missing = await ws('LY-000', '/w/units?code=WJ-101');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe((await ws('LY-000', '/w/units?code=NOPE-1')).body);
    expect((await ws('LY-000', '/w/units')).statusCode).toBe(404);
    expect((await get('CITY-000', '')).body).toContain('action="/f/');
    expect((await get('LY-101', '')).body).not.toContain('id="find-unit"');
  });

  it("links the unit names on the supervisor's own page to the unit's page", async () => {
    const reported = await app.http('POST', `/f/${app.links['LY-101']}/hazards`, {
      body: new URLSearchParams(
        sampleReportFields({ formKey: randomUUID(), level: 'major', foundOn: '2018-01-12' }),
      ).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reported.statusCode).toBe(303);
    const own = unescapeHtml((await get('LY-000', '')).body);
    expect(own).toContain(`<a href="/f/${app.links['LY-000']}/units/LY-101">溧阳市燕山示例小学</a>`);
  });

  it('puts every view and every open on the audit log: who, what, when', async () => {
    const viewsBefore = (await auditOf('supervisor-viewed-unit')).length;
    const opensBefore = (await auditOf('supervisor-opened-file')).length;
    clock.set('2018-01-12T10:30:00+08:00');
    // Idle since 09:00, longer than a session lives unused: the bureau enters again.
    expect((await ws('WJ-000', '/w/units/WJ-101')).statusCode).toBe(401);
    sessions.delete('WJ-000');
    await ws('WJ-000', '/w/units/WJ-101');
    await ws('WJ-000', `/w/units/WJ-101/files/${PLAN}/1`);
    await ws('WJ-000', '/w/units/LY-101');
    const views = await auditOf('supervisor-viewed-unit');
    const opens = await auditOf('supervisor-opened-file');
    expect(views).toHaveLength(viewsBefore + 1);
    expect(opens).toHaveLength(opensBefore + 1);
    expect(views).toContainEqual(
      expect.objectContaining({ actor: 'WJ-000', subject: 'WJ-101', at: '2018-01-12T02:30:00.000Z' }),
    );
    expect(opens).toContainEqual(
      expect.objectContaining({
        actor: 'WJ-000',
        subject: 'WJ-101',
        at: '2018-01-12T02:30:00.000Z',
        detail: { deliverable: PLAN, version: 1 },
      }),
    );
  });

  it('no log line holds a token, not even when a supervisor request fails inside', async () => {
    const token = app.links['CITY-000'] as string;
    const broken = makeHttpHandler({
      ...app.adapters,
      audit: Object.assign(Object.create(app.adapters.audit) as AuditLog, {
        append: () => Promise.reject(new Error(`audit down while serving /f/${token}/units/LY-101`)),
      }),
    });
    for (const [routeKey, path, pathParameters] of [
      ['GET /f/{token}/workspace', `/f/${token}/workspace`, { token }],
      ['GET /f/{token}/units/{unit}', `/f/${token}/units/LY-101`, { token, unit: 'LY-101' }],
    ] as const) {
      const event = {
        version: '2.0',
        routeKey,
        rawPath: path,
        rawQueryString: '',
        headers: { host: 'app.test' },
        pathParameters,
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET', path, sourceIp: '192.0.2.9' }, domainName: 'app.test' },
      } as unknown as Parameters<typeof broken>[0];
      const failed = await broken(event, localContext('http'));
      expect(failed.statusCode).toBe(500);
      expect(failed.body).not.toContain('audit down');
    }
    expect(
      app.logs.filter((l) => l.includes('request failed') && l.includes('GET /f/{token}/')),
    ).toHaveLength(2);
    const all = app.logs.join('\n');
    for (const issued of Object.values(app.links)) expect(all).not.toContain(issued);
  });
});
