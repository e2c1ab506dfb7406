import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import { hashToken } from '../../functions/shared/domain/links/form-links.ts';
import type { DocumentStore } from '../../functions/shared/ports.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { demoCampaign } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { testClients } from '../support/tables.ts';

const PDF = new TextEncoder().encode('%PDF-1.7\n%boundary\n');
const at = (iso: string) => new Date(iso);

/** What a browser does with a signed form: put the bytes under the key (the app's own bucket). */
async function uploadWithForm(app: TestApp, unit: string, fileName: string, bytes = PDF) {
  const response = await app.http('POST', `/f/${app.links[unit]}/uploads`, {
    body: JSON.stringify({ deliverableId: 'implementation-plan', fileName, size: bytes.length }),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.statusCode).toBe(200);
  const form = JSON.parse(response.body) as { key: string; fields: Record<string, string> };
  const put = await testClients().s3.send(
    new PutObjectCommand({ Bucket: app.adapters.documents.bucket, Key: form.key, Body: bytes }),
  );
  return { key: form.key, etag: (put.ETag ?? '').replaceAll('"', '') };
}

async function mailsFrom(from: string) {
  const store = (await (await fetch(`${inject('endpoints').sesv2}/store`)).json()) as {
    emails: { from: string; subject: string; destination: { to: string[] } }[];
  };
  return store.emails.filter((m) => m.from === from);
}

function campaignWith(changes: Partial<Campaign['uploads']>): Campaign {
  const campaign = demoCampaign();
  return {
    ...campaign,
    uploads: { ...campaign.uploads, ...changes },
    mail: { ...campaign.mail, from: `rules-${randomUUID().slice(0, 8)}@czedu.example` },
  };
}

describe('filing on the campaign clock', () => {
  const clock = manualClock('2018-01-19T23:55:00+08:00');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, campaign: campaignWith({}) });
  });
  afterAll(() => app.cleanup());

  it('2018-01-19T23:59:59+08:00 is on time; 2018-01-20T00:00:00+08:00 is late', async () => {
    const onTime = await uploadWithForm(app, 'LY-101', '实施方案.pdf');
    const late = await uploadWithForm(app, 'LY-102', '实施方案.pdf');
    expect(await app.s3Created(onTime.key, onTime.etag, at('2018-01-19T23:59:59+08:00'))).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect(await app.s3Created(late.key, late.etag, at('2018-01-20T00:00:00+08:00'))).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect(await app.adapters.submissions.pointer('LY-101', 'implementation-plan')).toMatchObject({
      firstOnTime: true,
    });
    expect(await app.adapters.submissions.pointer('LY-102', 'implementation-plan')).toMatchObject({
      firstOnTime: false,
    });

    clock.set('2018-01-22T09:00:00+08:00');
    expect((await app.http('GET', `/f/${app.links['LY-101']}`)).body).toContain('已按时报送');
    expect((await app.http('GET', `/f/${app.links['LY-102']}`)).body).toContain('逾期 1 天报送');
  });

  it('a redelivered S3 event makes no second version and no second receipt', async () => {
    clock.set('2018-01-22T09:00:00+08:00');
    const upload = await uploadWithForm(app, 'WJ-101', '实施方案.pdf');
    const when = at('2018-01-22T09:01:00+08:00');
    expect(await app.s3Created(upload.key, upload.etag, when)).toEqual([{ outcome: 'accepted', version: 1 }]);
    expect(await app.s3Created(upload.key, upload.etag, when)).toEqual([{ outcome: 'duplicate' }]);
    const versions = await app.adapters.submissions.versions('WJ-101', 'implementation-plan');
    expect(versions.items).toHaveLength(1);
    const receipts = (await mailsFrom(app.adapters.campaign.mail.from)).filter((m) =>
      m.destination.to.includes('wj-101@schools.czedu.example'),
    );
    expect(receipts).toHaveLength(1);
  });

  it('an object that arrives after its form expired is refused, and the school is told why', async () => {
    clock.set('2018-01-23T10:00:00+08:00');
    const upload = await uploadWithForm(app, 'WJ-000', '方案.pdf');
    expect(await app.s3Created(upload.key, upload.etag, at('2018-01-23T10:10:01+08:00'))).toEqual([
      { outcome: 'rejected', reason: 'expired' },
    ]);
    expect(await app.adapters.submissions.pointer('WJ-000', 'implementation-plan')).toBeNull();
    const html = (await app.http('GET', `/f/${app.links['WJ-000']}`)).body;
    expect(html).toContain('上传表单已过期（10 分钟有效），请刷新页面后重新上传');
  });
});

describe('a hard close', () => {
  const clock = manualClock('2018-04-01T00:00:00+08:00');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, campaign: campaignWith({ hardCloseOn: '2018-03-31' }) });
  });
  afterAll(() => app.cleanup());

  it('refuses new uploads with a clear message, and shows no form', async () => {
    const page = await app.http('GET', `/f/${app.links['LY-101']}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('报送已于 2018-03-31 截止，不再接收文件');
    expect(page.body).not.toContain('data-deliverable=');
    const presign = await app.http('POST', `/f/${app.links['LY-101']}/uploads`, {
      body: JSON.stringify({ deliverableId: 'work-summary', fileName: 'a.pdf', size: 10 }),
    });
    expect(presign.statusCode).toBe(403);
    expect(JSON.parse(presign.body).error.en).toContain('Filing closed on 2018-03-31');
  });

  it('but before it, late uploads are accepted and marked late', async () => {
    clock.set('2018-03-31T23:50:00+08:00');
    const upload = await uploadWithForm(app, 'LY-102', 'late-plan.pdf');
    expect(await app.s3Created(upload.key, upload.etag, at('2018-03-31T23:51:00+08:00'))).toEqual([
      { outcome: 'accepted', version: 1 },
    ]);
    expect((await app.adapters.submissions.version('LY-102', 'implementation-plan', 1))?.onTime).toBe(false);
    const afterClose = await uploadWithForm(app, 'LY-102', 'later.pdf');
    expect(await app.s3Created(afterClose.key, afterClose.etag, at('2018-04-01T00:00:01+08:00'))).toEqual([
      { outcome: 'rejected', reason: 'closed' },
    ]);
  });
});

describe('form-link tokens', () => {
  const clock = manualClock('2018-01-12T09:00:00+08:00');
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp({ clock, campaign: campaignWith({}) });
    const upload = await uploadWithForm(app, 'LY-102', '乙校方案.pdf');
    await app.s3Created(upload.key, upload.etag, clock.now());
  });
  afterAll(() => app.cleanup());

  it("school A's token neither reads nor writes school B's data on any route", async () => {
    const a = app.links['LY-101'] as string;
    expect((await app.http('GET', `/f/${a}`)).body).not.toContain('乙校方案.pdf');
    expect((await app.http('GET', `/f/${a}/files/implementation-plan/1`)).statusCode).toBe(404);
    const smuggled = await app.http('POST', `/f/${a}/uploads`, {
      body: JSON.stringify({
        deliverableId: 'implementation-plan',
        fileName: 'a.pdf',
        size: 10,
        unitCode: 'LY-102',
      }),
    });
    expect(smuggled.statusCode).toBe(400);
    expect(JSON.parse(smuggled.body).issues[0].en).toContain('unknown field(s): unitCode');
    const own = await app.http('POST', `/f/${a}/uploads`, {
      body: JSON.stringify({ deliverableId: 'implementation-plan', fileName: 'a.pdf', size: 10 }),
    });
    expect(JSON.parse(own.body).key).toMatch(/^incoming\/LY-101\//);
    const b = app.links['LY-102'] as string;
    expect((await app.http('GET', `/f/${b}/files/implementation-plan/1`)).statusCode).toBe(302);
  });

  it('a revoked link and a link of another campaign get the same 404 as an unknown one', async () => {
    const unit = await app.adapters.units.get('WJ-000');
    const token = app.links['WJ-000'] as string;
    expect((await app.http('GET', `/f/${token}`)).statusCode).toBe(200);
    await app.adapters.links.revoke('WJ-000', unit?.linkHash ?? '', clock.now());
    const revoked = await app.http('GET', `/f/${token}`);
    const unknown = await app.http('GET', `/f/${'Z'.repeat(43)}`);
    expect(revoked.statusCode).toBe(404);
    expect(revoked.body).toBe(unknown.body);

    // A link record that names another campaign (a table reused by mistake) is not honoured.
    const foreign = 'F'.repeat(43);
    await app.adapters.links.issue(
      {
        unitCode: 'WJ-101',
        campaignId: '2019-changzhou',
        hash: hashToken(foreign),
        linkVersion: 9,
        replacing: (await app.adapters.units.get('WJ-101'))?.linkHash,
      },
      clock.now(),
    );
    expect((await app.http('GET', `/f/${foreign}`)).body).toBe(unknown.body);
  });

  it('too many bad tokens from one source get 429, on every form-link route, for a while; valid links still work', async () => {
    const source = '198.51.100.7';
    const madeUp = () => randomUUID().replaceAll('-', '').padEnd(43, 'x');
    for (let i = 0; i < 20; i += 1) {
      const response = await app.http('GET', `/f/${madeUp()}`, { sourceIp: source });
      expect(response.statusCode).toBe(404);
    }
    const blocked = await app.http('GET', `/f/${madeUp()}`, { sourceIp: source });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain('无效链接尝试次数过多');
    expect(blocked.body).toContain('Too many attempts with invalid links');
    expect(
      (await app.http('POST', `/f/${madeUp()}/uploads`, { body: '{}', sourceIp: source })).statusCode,
    ).toBe(429);
    // A school behind the same address (one NAT for a whole district) is still served.
    const valid = app.links['CZ-001'] as string;
    expect((await app.http('GET', `/f/${valid}`, { sourceIp: source })).statusCode).toBe(200);
    clock.set('2018-01-12T09:21:00+08:00');
    expect((await app.http('GET', `/f/${madeUp()}`, { sourceIp: source })).statusCode).toBe(404);
  });

  it('a burst of 200 concurrent bad tokens gets at most the limit of 404s, and a valid link in the burst is served', async () => {
    const source = '198.51.100.77';
    const valid = app.links['LY-101'] as string;
    const answers = await Promise.all([
      ...Array.from({ length: 200 }, () =>
        app.http('GET', `/f/${randomUUID().replaceAll('-', '').padEnd(43, 'z')}`, { sourceIp: source }),
      ),
      app.http('GET', `/f/${valid}`, { sourceIp: source }),
    ]);
    const statuses = answers.slice(0, 200).map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 404)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(180);
    expect(answers[200]?.statusCode).toBe(200);
  });

  it('no log line holds a token, not even when a request fails inside', async () => {
    const token = app.links['CZ-001'] as string;
    const broken = makeHttpHandler({
      ...app.adapters,
      documents: Object.assign(Object.create(app.adapters.documents) as DocumentStore, {
        presignPost: () => Promise.reject(new Error(`storage down while serving /f/${token}`)),
      }),
    });
    const { localContext } = await import('../../infra/local/http-bridge.ts');
    const event = {
      version: '2.0',
      routeKey: 'GET /f/{token}',
      rawPath: `/f/${token}`,
      rawQueryString: '',
      headers: { host: 'app.test' },
      pathParameters: { token },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: `/f/${token}`, sourceIp: '192.0.2.9' },
        domainName: 'app.test',
      },
    } as unknown as Parameters<typeof broken>[0];
    const failed = await broken(event, localContext('http'));
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toContain('系统暂时出错');
    expect(failed.body).not.toContain('storage down');

    const all = app.logs.join('\n');
    expect(app.logs.some((line) => line.includes('request failed'))).toBe(true);
    for (const issued of Object.values(app.links)) expect(all).not.toContain(issued);
  });
});
