import { createHash, randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoExportJobs, EXPORT_LEASE_MS } from '../../functions/shared/adapters/dynamo/export-jobs.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { EXPORTS_PREFIX } from '../../functions/shared/adapters/zip/documents-zip.ts';
import {
  MAX_ATTEMPTS,
  requestExport,
  runExportJobs,
} from '../../functions/shared/domain/filing/export-jobs.ts';
import type { DocumentsArchiveWriter } from '../../functions/shared/ports.ts';
import type { UnitRecord } from '../../schemas/records.ts';
import {
  type HttpAnswer,
  manualClock,
  type TestApp,
  testApp,
  type WorkspaceClient,
} from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 13, "Left" item 2: the supervisors' documents ZIP as an asynchronous job. The workspace's
 * form asks (once per form, however often posted), the export-jobs run writes the archive under a
 * lease (once, however many runs race; taken over when a run dies), the job's page waits with a
 * meta refresh and then links to the file, and the file route audits and redirects. Scope: only
 * the supervisor who asked sees the job. Everything runs against the embedded servers; the
 * lease's real time is a clock the test moves.
 */
const PLAN = 'implementation-plan';
const SUMMARY = 'work-summary';
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.7\n% ${text}\n`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function zipFiles(bytes: Uint8Array): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  const files = new Map<string, string>();
  for (const entry of Object.values(zip.files))
    if (!entry.dir) files.set(entry.name, sha256(await entry.async('uint8array')));
  return files;
}

const download = async (location: string) => new Uint8Array(await (await fetch(location)).arrayBuffer());

describe('the documents ZIP as an export job', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  /** The lease's real time, which the test moves: never the campaign clock. */
  const leaseClock = manualClock('2026-06-01T00:00:00Z');
  let app: TestApp;
  let jobs: DynamoExportJobs;

  /** One run of the export-jobs function, as the schedule starts it, under `holder`. */
  const run = (holder: string, archives?: DocumentsArchiveWriter) =>
    runExportJobs(
      { ...app.adapters, exportJobs: jobs, ...(archives ? { archives } : {}) },
      { holder, elapsedMs: () => 0 },
    );

  const exportsStored = async () =>
    (
      await testClients().s3.send(
        new ListObjectsV2Command({ Bucket: app.adapters.documents.bucket, Prefix: `${EXPORTS_PREFIX}/` }),
      )
    ).KeyCount ?? 0;
  const events = async (action: string) =>
    (await app.adapters.audit.listDay('2018-01-12', { limit: 1000 })).items.filter(
      (e) => e.action === action,
    );
  const waiting = async () => (await jobs.waiting({ limit: 100 })).items;

  /** The bar's export form for `versions` on the page just fetched: its fields as posted. */
  function exportForm(page: HttpAnswer, versions: 'current' | 'all'): Record<string, string> {
    const forms = [
      ...page.body.matchAll(/<form method="post" action="\/w\/export\/jobs[^"]*"[^>]*>(.*?)<\/form>/g),
    ];
    const form = forms.find((f) => f[1]?.includes(`name="versions" value="${versions}"`));
    const exportKey = form?.[1] ? /name="exportKey" value="([^"]+)"/.exec(form[1])?.[1] : undefined;
    if (!exportKey) throw new Error(`no export form for ${versions}`);
    return { exportKey, versions };
  }

  /** Asks for an export through the workspace's own form, as a browser would; answers the job's path. */
  async function ask(client: WorkspaceClient, versions: 'current' | 'all' = 'current') {
    const fields = exportForm(await client.get('/w'), versions);
    const answer = await client.post('/w/export/jobs', fields);
    expect(answer.statusCode).toBe(303);
    const location = answer.headers.location ?? '';
    expect(location).toMatch(/^\/w\/export\/jobs\/[0-9a-f]{32}$/);
    return { path: location, id: location.split('/').at(-1) as string, fields };
  }

  let bureau: WorkspaceClient;
  beforeAll(async () => {
    app = await testApp({ clock });
    jobs = new DynamoExportJobs(
      new DynamoStore(testClients().doc, app.tableName),
      app.adapters.campaign.timeZone,
      leaseClock,
    );
    await app.file('LY-101', PLAN, '实施方案.pdf', pdf('first draft'));
    await app.file('LY-101', PLAN, '实施方案（定稿）.pdf', pdf('final'));
    await app.file('LY-101', SUMMARY, '工作总结.pdf', pdf('summary'));
    await app.file('LY-102', PLAN, '南渡方案.pdf', pdf('nandu'));
    await app.file('WJ-101', PLAN, '武进实施方案.pdf', pdf('wujin'));
    await app.file('CZ-001', PLAN, '直属单位方案.pdf', pdf('affiliated'));
    bureau = await app.workspace(`/f/${app.links['LY-000']}/workspace`);
  });
  afterAll(() => app.cleanup());

  it('every workspace page offers the export as two POST forms, each with its own one-time key', async () => {
    const page = await bureau.get('/w');
    const current = exportForm(page, 'current');
    const all = exportForm(page, 'all');
    expect(current.exportKey).not.toBe(all.exportKey);
    expect(exportForm(await bureau.get('/w'), 'current').exportKey).not.toBe(current.exportKey);
    expect(page.body).toContain('下载全部材料（ZIP）');
  });

  it('the same form posted twice, or twice at once, is one job and one request on the audit trail', async () => {
    const before = (await events('supervisor-requested-export')).length;
    const first = await ask(bureau);
    const again = await bureau.post('/w/export/jobs', first.fields);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(first.path);
    // A double click: both posts race; one job.
    const fields = exportForm(await bureau.get('/w'), 'all');
    const [a, b] = await Promise.all([
      bureau.post('/w/export/jobs', fields),
      bureau.post('/w/export/jobs', fields),
    ]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(a.headers.location).not.toBe(first.path);
    const stored = (await waiting()).map((job) => job.id).sort();
    expect(stored).toEqual([first.id, (a.headers.location ?? '').split('/').at(-1)].sort());
    const requested = (await events('supervisor-requested-export')).slice(before);
    expect(requested).toHaveLength(2);
    expect(requested.find((e) => e.detail.job === first.id)).toEqual(
      expect.objectContaining({
        actor: 'LY-000',
        subject: 'LY-000',
        detail: { job: first.id, allVersions: false },
      }),
    );
    const job = await jobs.get(first.id);
    expect(job).toEqual(
      expect.objectContaining({ status: 'pending', attempts: 0, bodyCode: 'LY-000', actor: 'LY-000' }),
    );
    // Clear the queue for the tests below.
    await run('drain');
    expect(await waiting()).toEqual([]);
  });

  it('waits with a meta refresh, then links to the file, whose archive holds what GET documents.zip gives', async () => {
    const { path, id } = await ask(bureau);
    const pending = await bureau.get(path);
    expect(pending.statusCode).toBe(200);
    expect(pending.body).toContain('<meta http-equiv="refresh" content="10">');
    expect(pending.body).toContain('排队中');
    expect(pending.body).not.toContain(`${path}/file`);
    const early = await bureau.get(`${path}/file`);
    expect(early.statusCode).toBe(404);
    expect(early.body).toContain('压缩包还没有生成好');
    const english = await bureau.get(`${path}?lang=en`);
    expect(english.body).toContain('Waiting');

    const exported = (await events('supervisor-exported-documents')).length;
    const report = await run('runner');
    expect(report.ran).toEqual([{ id, outcome: 'done' }]);
    const done = await bureau.get(path);
    expect(done.body).not.toContain('http-equiv="refresh"');
    expect(done.body).toContain(`href="${path}/file"`);
    expect(done.body).toContain('溧阳市-材料-2018-01-12.zip');
    const job = await jobs.get(id);
    expect(job).toEqual(expect.objectContaining({ status: 'done', attempts: 1 }));
    expect(job?.result).toEqual(
      expect.objectContaining({ fileName: '溧阳市-材料-2018-01-12.zip', count: 3 }),
    );
    const recorded = await events('supervisor-exported-documents');
    expect(recorded).toHaveLength(exported + 1);
    expect(recorded.filter((e) => e.detail.job === id)).toEqual([
      expect.objectContaining({
        actor: 'LY-000',
        subject: 'LY-000',
        detail: expect.objectContaining({ scope: 'district:liyang', count: 3, allVersions: false, job: id }),
      }),
    ]);

    // The file route: on the audit trail, then a 303 to a short download under the Chinese name.
    clock.set('2018-01-12T09:30:00+08:00');
    const file = await bureau.get(`${path}/file`);
    expect(file.statusCode).toBe(303);
    const location = new URL(file.headers.location ?? '');
    expect(location.searchParams.get('response-content-disposition')).toMatch(
      /^attachment; filename="[^"]+"; filename\*=UTF-8''%E6%BA%A7%E9%98%B3%E5%B8%82-%E6%9D%90%E6%96%99-2018-01-12\.zip$/,
    );
    expect(location.searchParams.get('response-content-type')).toBe('application/zip');
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    expect((await events('supervisor-downloaded-export')).find((e) => e.detail.job === id)).toEqual(
      expect.objectContaining({
        actor: 'LY-000',
        subject: 'LY-000',
        at: '2018-01-12T01:30:00.000Z',
        detail: { job: id, key: job?.result?.key, size: job?.result?.size },
      }),
    );
    const bytes = await download(location.toString());
    expect(bytes.length).toBe(job?.result?.size);
    const fromJob = await zipFiles(bytes);

    // The same contents, name for name and byte for byte, as the archive written inside a request.
    const direct = await bureau.get('/w/export/documents.zip');
    expect(direct.statusCode).toBe(303);
    const fromRequest = await zipFiles(await download(direct.headers.location ?? ''));
    expect([...fromJob.entries()]).toEqual([...fromRequest.entries()]);
    expect([...fromJob.keys()]).toEqual([
      '清单.csv',
      expect.stringMatching(/^溧阳市\/LY-101 .*\/专项行动实施方案\/实施方案（定稿）\.pdf$/),
      expect.stringMatching(/^溧阳市\/LY-101 .*\/工作总结\/工作总结\.pdf$/),
      expect.stringMatching(/^溧阳市\/LY-102 .*\/专项行动实施方案\/南渡方案\.pdf$/),
    ]);
  });

  it('two runs at once claim a job once: one archive, one exported event', async () => {
    const { id } = await ask(bureau, 'all');
    const stored = await exportsStored();
    const exported = (await events('supervisor-exported-documents')).length;
    const [a, b] = await Promise.all([run('one'), run('two')]);
    expect([...a.ran, ...b.ran]).toEqual([{ id, outcome: 'done' }]);
    expect(await exportsStored()).toBe(stored + 1);
    expect((await events('supervisor-exported-documents')).length).toBe(exported + 1);
    expect((await jobs.get(id))?.attempts).toBe(1);
    // A done job is never run again: claimed by nobody, and a later run finds nothing.
    expect(await jobs.claim(id, 'late', clock.now())).toBeNull();
    expect((await run('later')).ran).toEqual([]);
    expect(await exportsStored()).toBe(stored + 1);
  });

  it('a run that died after its claim holds the job until its lease runs out; then the next run takes it over', async () => {
    const { path, id } = await ask(bureau);
    // A run claims the job and dies before writing anything.
    expect(await jobs.claim(id, 'dead', clock.now())).toEqual(
      expect.objectContaining({ status: 'running', holder: 'dead', attempts: 1 }),
    );
    const held = await run('too-early');
    expect(held.ran).toEqual([]);
    const running = await bureau.get(path);
    expect(running.body).toContain('正在生成压缩包');
    expect(running.body).toContain('http-equiv="refresh"');

    leaseClock.set(new Date(leaseClock.now().getTime() + EXPORT_LEASE_MS + 1).toISOString());
    const takeover = await run('successor');
    expect(takeover.ran).toEqual([{ id, outcome: 'done' }]);
    expect(await jobs.get(id)).toEqual(
      expect.objectContaining({ status: 'done', holder: 'successor', attempts: 2 }),
    );
    // The dead run, were it to wake, may change nothing: its lease is gone.
    const result = { key: 'exports/documents/stale', fileName: 'x.zip', size: 1, count: 0 };
    const audit = { at: clock.now().toISOString(), actor: 'x', action: 'x', subject: 'x', detail: {} };
    expect(await jobs.finish(id, 'dead', result, clock.now(), audit)).toBe(false);
    expect(await jobs.release(id, 'dead', { zh: '错', en: 'err' })).toBe(false);
    expect(await jobs.renew(id, 'dead')).toBe(false);
    expect((await jobs.get(id))?.result?.key).not.toBe('exports/documents/stale');
  });

  it('a run that writes longer than its lease keeps the job by renewing it: no other run takes it meanwhile', async () => {
    // Real time here, with a lease of 300 ms renewed every 100 ms, and a writer that takes a second.
    const shortLeases = new DynamoExportJobs(
      new DynamoStore(testClients().doc, app.tableName),
      app.adapters.campaign.timeZone,
      undefined,
      300,
    );
    const { id } = await ask(bureau);
    const slow: DocumentsArchiveWriter = {
      write: async (contents) => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return app.adapters.archives.write(contents);
      },
    };
    const deps = { ...app.adapters, exportJobs: shortLeases };
    const long = runExportJobs({ ...deps, archives: slow }, { holder: 'long', elapsedMs: () => 0 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const rival = await runExportJobs(deps, { holder: 'rival', elapsedMs: () => 0 });
    expect(rival.ran).toEqual([]);
    expect((await long).ran).toEqual([{ id, outcome: 'done' }]);
    expect(await jobs.get(id)).toEqual(
      expect.objectContaining({ status: 'done', holder: 'long', attempts: 1 }),
    );
  });

  it(`a run that fails releases the job for the next; after ${MAX_ATTEMPTS} tries it is failed, the reason in both languages`, async () => {
    const { path, id } = await ask(bureau);
    const broken: DocumentsArchiveWriter = {
      write: async () => {
        throw new Error('storage went away');
      },
    };
    expect((await run('f1', broken)).ran).toEqual([{ id, outcome: 'released' }]);
    const retrying = await bureau.get(path);
    expect(retrying.body).toContain('上次尝试未成功');
    expect(retrying.body).toContain('http-equiv="refresh"');
    expect((await run('f2', broken)).ran).toEqual([{ id, outcome: 'released' }]);
    expect((await run('f3', broken)).ran).toEqual([{ id, outcome: 'failed' }]);
    const failed = await bureau.get(path);
    expect(failed.body).not.toContain('http-equiv="refresh"');
    expect(failed.body).toContain('导出失败');
    expect(failed.body).toMatch(/生成压缩包时出错，已尝试 3 次.*Writing the archive failed; tried 3 times/s);
    expect(failed.body).not.toContain('storage went away');
    expect(await waiting()).toEqual([]);
    // Failed is final: no run claims it again.
    expect((await run('f4')).ran).toEqual([]);
    expect((await bureau.get(`${path}/file`)).statusCode).toBe(404);
  });

  it('a job whose runs all died is failed on the next claim, saying it was interrupted', async () => {
    const { path, id } = await ask(bureau);
    for (let n = 1; n <= MAX_ATTEMPTS; n += 1) {
      expect((await jobs.claim(id, `dead-${n}`, clock.now()))?.attempts).toBe(n);
      leaseClock.set(new Date(leaseClock.now().getTime() + EXPORT_LEASE_MS + 1).toISOString());
    }
    const stored = await exportsStored();
    expect((await run('last')).ran).toEqual([{ id, outcome: 'failed' }]);
    expect(await exportsStored()).toBe(stored);
    const page = await bureau.get(path);
    expect(page.body).toContain(`导出已中断 ${MAX_ATTEMPTS} 次`);
    expect(page.body).toContain(`The export was interrupted ${MAX_ATTEMPTS} times`);
  });

  it('only the supervisor who asked sees the job: another district, the office, a colleague of the same bureau get 404', async () => {
    const { path } = await ask(bureau);
    await run('scope');
    expect((await bureau.get(path)).statusCode).toBe(200);
    const others = [
      await app.workspace(`/f/${app.links['WJ-000']}/workspace`),
      await app.workspace(`/f/${app.links['CITY-000']}/workspace`),
      // Li reviews for the same bureau, but did not ask.
      await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`),
    ];
    const downloads = (await events('supervisor-downloaded-export')).length;
    for (const other of others) {
      for (const target of [path, `${path}/file`]) {
        const refused = await other.get(target);
        expect(refused.statusCode).toBe(404);
        expect(refused.body).toContain('没有这个导出任务');
      }
    }
    expect((await events('supervisor-downloaded-export')).length).toBe(downloads);
    // Unknown and malformed ids answer alike.
    expect((await bureau.get('/w/export/jobs/0123456789abcdef0123456789abcdef')).statusCode).toBe(404);
    expect((await bureau.get('/w/export/jobs/..%2F..')).statusCode).toBe(404);
  });

  it("a district's reviewer gets a job of their own, holding that district's files only", async () => {
    const li = await app.workspace(`/r/${app.reviewerLinks['li-liyang']}`);
    const { path, id } = await ask(li, 'all');
    expect((await bureau.get(path)).statusCode).toBe(404);
    expect((await run('li')).ran).toEqual([{ id, outcome: 'done' }]);
    const file = await li.get(`${path}/file`);
    expect(file.statusCode).toBe(303);
    const paths = [...(await zipFiles(await download(file.headers.location ?? ''))).keys()];
    expect(paths.filter((p) => p !== '清单.csv')).toHaveLength(4);
    for (const p of paths) expect(p === '清单.csv' || p.startsWith('溧阳市/')).toBe(true);
    // Events of one instant sort by a random id: each is found by its job.
    expect((await events('supervisor-exported-documents')).find((e) => e.detail.job === id)).toEqual(
      expect.objectContaining({ actor: 'reviewer:li-liyang', subject: 'LY-000' }),
    );
    expect((await events('supervisor-downloaded-export')).find((e) => e.detail.job === id)).toEqual(
      expect.objectContaining({ actor: 'reviewer:li-liyang', detail: expect.objectContaining({ job: id }) }),
    );
  });

  it('refuses a school, a request without a session or CSRF token, and a form that is not whole', async () => {
    const school = await app.http('GET', `/f/${app.links['LY-101']}/workspace`);
    expect(school.statusCode).toBe(403);
    expect(school.cookies).toEqual([]);
    const unit = (await app.adapters.units.get('LY-101')) as UnitRecord;
    await expect(
      requestExport(app.adapters, { body: unit, actor: unit.code }, { formKey: randomUUID() }),
    ).rejects.toMatchObject({ status: 403, zh: expect.stringContaining('只有市安稳处和区县教育局') });

    const before = (await waiting()).length;
    const form = new URLSearchParams({ exportKey: randomUUID(), versions: 'current' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await app.http('POST', '/w/export/jobs', { body: form, headers })).statusCode).toBe(401);
    const noCsrf = await app.http('POST', '/w/export/jobs', {
      body: form,
      headers,
      cookies: [bureau.cookie],
    });
    expect(noCsrf.statusCode).toBe(403);
    await bureau.get('/w');
    const noKey = await bureau.post('/w/export/jobs', { versions: 'current' });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.body).toContain('exportKey');
    const badVersions = await bureau.post('/w/export/jobs', { exportKey: randomUUID(), versions: 'every' });
    expect(badVersions.statusCode).toBe(400);
    expect(badVersions.body).toContain('every');
    expect((await waiting()).length).toBe(before);
    expect((await app.http('GET', '/w/export/jobs/0123456789abcdef0123456789abcdef')).statusCode).toBe(401);
  });
});
