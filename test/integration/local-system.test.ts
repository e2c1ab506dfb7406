import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { DynamoAuditLog } from '../../functions/shared/adapters/dynamo/audit-log.ts';
import { keys } from '../../functions/shared/adapters/dynamo/keys.ts';
import { DynamoLinkRepository } from '../../functions/shared/adapters/dynamo/links-repository.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { createTableInput } from '../../functions/shared/adapters/dynamo/table.ts';
import { DynamoUnitRepository } from '../../functions/shared/adapters/dynamo/units-repository.ts';
import { issueLink } from '../../functions/shared/domain/links/form-links.ts';
import { allPages } from '../../functions/shared/domain/pages.ts';
import { SECURITY_HEADERS } from '../../functions/shared/web/security-headers.ts';
import { ensureTable } from '../../infra/local/bootstrap.ts';
import { testClients } from '../support/tables.ts';

const system = inject('system');
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${system.url}${path}`, { headers });
const linkOf = (unit: string) => `/f/${system.links[unit]}`;

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the local system behind its API Gateway stand-in', () => {
  it('serves the landing page in Chinese, with the security headers', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(response.headers.get(name)).toBe(value);
    const body = await response.text();
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain('常州市教育系统集中开展除隐患防事故保安全专项行动');
    expect(body).toContain('2018-01-19');
    expect(body).toContain('今天 2018-01-10');
  });

  it('switches to English by Accept-Language or ?lang=en', async () => {
    const byHeader = await (await get('/', { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' })).text();
    expect(byHeader).toContain('<html lang="en">');
    expect(byHeader).toContain('Implementation plan');
    const bySwitch = await (await get('/?lang=en', { 'accept-language': 'zh-CN' })).text();
    expect(bySwitch).toContain('Work summary');
    const chineseFirst = await (await get('/', { 'accept-language': 'zh-CN,en;q=0.8' })).text();
    expect(chineseFirst).toContain('<html lang="zh-CN">');
  });

  it('shows a school its own page through its form link, with days left on the campaign clock', async () => {
    const response = await get(linkOf('LY-101'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.text();
    expect(body).toContain('溧阳市燕山示例小学');
    expect(body).toContain('未报送 · 还剩 9 天');
    expect(body).toContain('工作总结');
    expect(body).not.toContain('溧阳市南渡示例初级中学');
  });

  it('answers an unknown, a malformed and a revoked token with the same 404 page', async () => {
    const store = new DynamoStore(testClients().doc, system.tableName);
    const deps = { links: new DynamoLinkRepository(store), units: new DynamoUnitRepository(store) };
    const before = system.links['WJ-101'] as string;
    const fresh = await issueLink('WJ-101', '2018-changzhou', deps, new Date(), system.linkKey);

    const unknown = await get(`/f/${'A'.repeat(43)}`);
    const malformed = await get('/f/short');
    const revoked = await get(`/f/${before}`);
    const bodies = await Promise.all([unknown, malformed, revoked].map((r) => r.text()));
    expect([unknown.status, malformed.status, revoked.status]).toEqual([404, 404, 404]);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('链接无效或已失效');
    expect(revoked.headers.get('referrer-policy')).toBe('no-referrer');

    const rotated = await get(`/f/${fresh}`);
    expect(rotated.status).toBe(200);
    expect(await rotated.text()).toContain('武进区');
  });

  it('created the campaign table from the one definition, TTL included', async () => {
    const { dynamo } = testClients();
    const table = await dynamo.send(new DescribeTableCommand({ TableName: system.tableName }));
    expect(table.Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(['pk', 'sk']);
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      'gsi1',
      'gsi2',
      'gsi3',
    ]);
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: system.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'ttl',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('brings a table made before an index existed up to the definition, keeping its items', async () => {
    const { dynamo, doc } = testClients();
    const name = `old-${Date.now()}`;
    const input = createTableInput(name);
    // As the table was before gsi2 and gsi3 existed.
    await dynamo.send(
      new CreateTableCommand({
        ...input,
        AttributeDefinitions: input.AttributeDefinitions?.filter(
          (a) => !/^gsi[23]/.test(a.AttributeName ?? ''),
        ),
        GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.slice(0, 1),
      }),
    );
    await doc.send(new PutCommand({ TableName: name, Item: { pk: 'UNIT#X', sk: 'PROFILE', kept: true } }));
    await ensureTable(testClients(), name);
    const table = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      'gsi1',
      'gsi2',
      'gsi3',
    ]);
    expect(
      (await doc.send(new GetCommand({ TableName: name, Key: { pk: 'UNIT#X', sk: 'PROFILE' } }))).Item?.kept,
    ).toBe(true);
  });

  it("gives API Gateway's own 404 for a path no route matches", async () => {
    const response = await get('/admin');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      message: 'Not Found',
      error: { zh: '页面不存在', en: 'Not Found' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('delivers S3 object-created events to the upload handler once, with the key decoded', async () => {
    const { s3, doc } = testClients();
    const key = 'incoming/LY-102/实施 方案 (v1).pdf';
    const put = () =>
      s3.send(
        new PutObjectCommand({
          Bucket: system.bucket,
          Key: key,
          Body: '%PDF-1.4 test',
          ContentType: 'application/pdf',
        }),
      );
    const { ETag } = await put();
    const etag = (ETag ?? '').replaceAll('"', '');
    const receiptKey = keys.uploadReceipt(system.bucket, key, etag);
    const receipt = await waitFor(
      async () => (await doc.send(new GetCommand({ TableName: system.tableName, Key: receiptKey }))).Item,
    );
    expect(receipt).toMatchObject({ key, etag, size: 13 });

    // The same bytes again: same bucket, key and ETag, so S3's redelivery writes nothing new.
    await put();
    const audit = new DynamoAuditLog(new DynamoStore(doc, system.tableName), 'Asia/Shanghai');
    await new Promise((r) => setTimeout(r, 500));
    const events = [];
    // Every page: other tests (the 1,000-filing load test among them) file on the same days.
    for (const day of ['2018-01-10', '2018-01-11'])
      events.push(...(await allPages((page) => audit.listDay(day, page), 500)));
    const mine = events.filter((e) => e.subject === key);
    // Nobody asked for this upload (no form was signed for the key), so it was refused, once.
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      actor: 'LY-102',
      action: 'upload-rejected',
      detail: { reason: 'unknown-upload' },
    });
  });
});
