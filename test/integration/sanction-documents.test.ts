import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, type TestApp, testApp, type WorkspaceClient } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

/**
 * Issue 13: a summons or circular (约谈/通报) carries its document. The body that decided uploads it
 * from the workspace straight to storage (a signed form, then S3's event, as the schools' files);
 * the decision, the workspace's list and the unit's page then link to it, and both sides download
 * the exact bytes. A redelivered event changes nothing, a newer upload replaces the document, and
 * an older upload's event arriving late does not undo it. Scope holds on every route.
 */
const clock = manualClock('2018-01-24T10:00:00+08:00');
let app: TestApp;
let office: WorkspaceClient;
let liyang: WorkspaceClient;
let jintan: WorkspaceClient;

const PDF = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

beforeAll(async () => {
  app = await testApp({ clock, units: ['CITY-000', 'LY-000', 'LY-101', 'LY-102', 'JT-000', 'JT-101'] });
  office = await app.workspace(`/f/${app.links['CITY-000']}/workspace`);
  liyang = await app.workspace(`/f/${app.links['LY-000']}/workspace`);
  jintan = await app.workspace(`/f/${app.links['JT-000']}/workspace`);
});
afterAll(() => app.cleanup());

/** Records a decision against `unit` through the workspace's form; its id. */
async function decide(client: WorkspaceClient, unit: string, reason: string): Promise<string> {
  const form = await client.get(`/w/sanctions/new?unit=${unit}`);
  const formKey = /name="formKey" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const answer = await client.post('/w/sanctions', {
    unit,
    formKey,
    kind: 'summons',
    date: '2018-01-26',
    reason,
  });
  expect(answer.statusCode).toBe(303);
  return formKey;
}

/** Opens the upload page and sends `bytes` to storage as the browser would through its form. */
async function put(client: WorkspaceClient, unit: string, id: string, bytes: Uint8Array) {
  const page = await client.get(`/w/sanctions/${unit}/${id}/document`);
  expect(page.statusCode, page.body).toBe(200);
  expect(page.headers['content-security-policy']).toMatch(/form-action [^;]*http/);
  const key = /name="key" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const back = /name="success_action_redirect" value="([^"]+)"/
    .exec(page.body)?.[1]
    ?.replaceAll('&amp;', '&');
  expect(back).toMatch(new RegExp(`/w/return\\?next=%2Fw%2Fsanctions%3Fuploaded%3D${id}$`));
  const stored = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: key, Body: bytes }),
  );
  return { key, etag: (stored.ETag ?? '').replaceAll('"', '') };
}

/** The upload, then S3's event for it at the clock's time. */
async function upload(client: WorkspaceClient, unit: string, id: string, bytes: Uint8Array) {
  const sent = await put(client, unit, id, bytes);
  return { ...sent, outcomes: await app.s3Created(sent.key, sent.etag, clock.now()) };
}

/** Follows a download route's redirect to storage: the bytes served. */
async function download(answer: { statusCode: number; headers: Record<string, string | undefined> }) {
  expect(answer.statusCode).toBe(302);
  const response = await fetch(answer.headers.location ?? '');
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe('the document of a summons or circular', () => {
  it('is uploaded by the office, linked on the list and the unit’s page, and read back exactly by both', async () => {
    const id = await decide(office, 'LY-101', '实施方案逾期未报送');
    expect((await office.get('/w/sanctions')).body).toContain(`href="/w/sanctions/LY-101/${id}/document"`);
    const first = PDF('约谈通知书');
    const sent = await upload(office, 'LY-101', id, first);
    expect(sent.outcomes, JSON.stringify(sent.outcomes)).toEqual([{ outcome: 'accepted', version: 1 }]);

    const list = (await office.get(`/w/sanctions?uploaded=${id}`)).body;
    expect(list).toContain('文件已上传');
    expect(list).toContain(`href="/w/sanctions/LY-101/${id}/document/file"`);
    expect(await download(await office.get(`/w/sanctions/LY-101/${id}/document/file`))).toEqual(first);
    const audit = await app.adapters.audit.listDay('2018-01-24', { limit: 500 });
    expect(audit.items.map((e) => e.action)).toContain('supervisor-opened-file');

    const school = (await app.http('GET', `/f/${app.links['LY-101']}`)).body;
    expect(school).toContain(`href="/f/${app.links['LY-101']}/sanctions/${id}/document"`);
    expect(
      await download(await app.http('GET', `/f/${app.links['LY-101']}/sanctions/${id}/document`)),
    ).toEqual(first);

    // S3 delivers the same event again: nothing changes.
    expect(await app.s3Created(sent.key, sent.etag, clock.now())).toEqual([{ outcome: 'duplicate' }]);

    // Two more uploads: the later one's event is delivered first and replaces the document; the
    // earlier one's, arriving late, does not bring its older file back.
    const older = await put(office, 'LY-101', id, PDF('约谈通知书（草稿）'));
    const newer = await put(office, 'LY-101', id, PDF('约谈通知书（修订）'));
    const at = (time: string) => new Date(`2018-01-24T${time}+08:00`);
    expect(await app.s3Created(newer.key, newer.etag, at('10:05:00'))).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect(await app.s3Created(older.key, older.etag, at('10:02:00'))).toEqual([{ outcome: 'duplicate' }]);
    expect(await download(await office.get(`/w/sanctions/LY-101/${id}/document/file`))).toEqual(
      PDF('约谈通知书（修订）'),
    );
  });

  it('stays in scope: another district sees nothing, and only the deciding body uploads', async () => {
    const id = await decide(liyang, 'LY-102', '工作总结未按要求报送');
    expect((await jintan.get(`/w/sanctions/LY-102/${id}/document`)).statusCode).toBe(404);
    expect((await jintan.get(`/w/sanctions/LY-102/${id}/document/file`)).statusCode).toBe(404);
    expect((await app.http('GET', `/f/${app.links['LY-101']}/sanctions/${id}/document`)).statusCode).toBe(
      404,
    );
    // The office may upload for a bureau's decision; a bureau not for the office's.
    const officeDecision = await decide(office, 'LY-102', '隐患整改不力');
    expect((await liyang.get(`/w/sanctions/LY-102/${officeDecision}/document`)).statusCode).toBe(403);
    expect((await upload(liyang, 'LY-102', id, PDF('通报'))).outcomes).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect((await liyang.get(`/w/sanctions/LY-102/${id}/document/file`)).statusCode).toBe(302);
    expect((await office.get(`/w/sanctions/LY-102/${id}/document/file`)).statusCode).toBe(302);
    // No document yet: a clear 404, not a broken link.
    expect((await office.get(`/w/sanctions/LY-102/${officeDecision}/document/file`)).statusCode).toBe(404);
    // The bureau's list offers no upload for the office's decision.
    const list = (await liyang.get('/w/sanctions')).body;
    expect(list).toContain(`href="/w/sanctions/LY-102/${id}/document"`);
    expect(list).not.toContain(`href="/w/sanctions/LY-102/${officeDecision}/document"`);
  });

  it('a bureau reads the document of a decision against itself, as its list shows it', async () => {
    const id = await decide(office, 'LY-000', '区县教育局督查不力');
    expect((await upload(office, 'LY-000', id, PDF('通报局'))).outcomes).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect((await liyang.get('/w/sanctions')).body).toContain(
      `href="/w/sanctions/LY-000/${id}/document/file"`,
    );
    expect(await download(await liyang.get(`/w/sanctions/LY-000/${id}/document/file`))).toEqual(
      PDF('通报局'),
    );
    expect((await liyang.get(`/w/sanctions/LY-000/${id}/document`)).statusCode).toBe(403);
    expect((await jintan.get(`/w/sanctions/LY-000/${id}/document/file`)).statusCode).toBe(404);
  });

  it('lists a refused document for the body that sent it, never on the sanctioned school’s page', async () => {
    const id = await decide(office, 'LY-102', '未按期整改');
    const sent = await upload(office, 'LY-102', id, new TextEncoder().encode('MZ not a document'));
    expect(sent.outcomes).toMatchObject([{ outcome: 'rejected' }]);
    expect((await app.http('GET', `/f/${app.links['LY-102']}`)).body).not.toContain('被拒收的上传');
    expect((await app.http('GET', `/f/${app.links['CITY-000']}`)).body).toMatch(
      /被拒收的上传[\s\S]*约谈通报文件：/,
    );
    expect((await office.get(`/w/sanctions/LY-102/${id}/document/file`)).statusCode).toBe(404);
  });

  it('brings the browser back into the workspace from storage, never elsewhere', async () => {
    const back = await app.http('GET', '/w/return?next=%2Fw%2Fsanctions%3Fuploaded%3Dabc');
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('content="0;url=/w/sanctions?uploaded=abc"');
    const away = await app.http('GET', '/w/return?next=https%3A%2F%2Fevil.example%2F');
    expect(away.body).toContain('content="0;url=/w"');
  });
});
