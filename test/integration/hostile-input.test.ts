import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UPLOAD_SCRIPT } from '../../functions/http/assets.ts';
import type { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { SECURITY_HEADERS } from '../../functions/shared/web/security-headers.ts';
import { main } from '../../infra/cli/campaign.ts';
import { sampleReportFields } from '../support/fixtures.ts';
import { manualClock, type TestApp, testApp } from '../support/local-app.ts';
import { objectsUnder, postForm, requestForm, signPolicy } from '../support/s3-post.ts';
import { testClients } from '../support/tables.ts';

/**
 * A table of hostile and careless inputs across every route, the local S3's POST and the config
 * files. Each row asserts its status, a bilingual message (a piece of the Chinese and of the
 * English), the security headers, and that the stored data is the same after as before. Hazard
 * field semantics (dates in the future, `0x10`) are in the hazard-form table, not here.
 */

const clock = manualClock('2018-01-15T10:00:00+08:00');
let app: TestApp;
let hazardId = '';
const T = () => app.links['LY-101'] ?? '';
const system = inject('system');

const INVALID = ['提交的内容有误', 'The input is invalid'] as const;
const DEEP = ['JSON 嵌套超过', 'nested deeper than'] as const;
const SYNTAX = ['不是有效的 JSON', 'is not valid JSON'] as const;
const CONTROL = ['不能包含控制字符', 'must not contain control characters'] as const;
const PERCENT = ['URL 编码有误', 'malformed percent-encoding'] as const;
const TOO_LARGE = ['提交的内容过大', 'too large'] as const;
const NOT_FOUND = ['链接无效', 'not valid'] as const;

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const big = (bytes: number) => 'x'.repeat(bytes);

beforeAll(async () => {
  app = await testApp({ clock });
  const reported = await app.http('POST', `/f/${T()}/hazards`, {
    headers: form,
    body: new URLSearchParams({ formKey: randomUUID(), ...sampleReportFields() }).toString(),
  });
  expect(reported.statusCode).toBe(303);
  const location = reported.headers.location ?? '';
  hazardId = location.slice(location.lastIndexOf('/') + 1);
});
afterAll(() => app.cleanup());

/** Everything the test app stores: its table (bar the bad-token counters) and its bucket. */
async function stored(): Promise<string[]> {
  const store = Reflect.get(app.adapters.units, 'store') as DynamoStore;
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await testClients().doc.send(
      new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? [])
      if (!String(item.pk).startsWith('RATE#')) items.push(JSON.stringify(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return [...items.sort(), ...(await objectsUnder(app.adapters.documents.bucket, ''))];
}

function expectSecurityHeaders(headers: Record<string, string>) {
  for (const name of Object.keys(SECURITY_HEADERS)) expect(headers[name.toLowerCase()], name).toBeDefined();
  expect(headers['x-content-type-options']).toBe('nosniff');
}

interface HttpRow {
  name: string;
  method: string;
  path: () => string;
  body?: () => string;
  headers?: Record<string, string>;
  status: number;
  says: readonly [string, string];
}

const jsonRoutes: [string, () => string, Record<string, unknown>][] = [
  [
    'uploads',
    () => `/f/${T()}/uploads`,
    { deliverableId: 'implementation-plan', fileName: 'a.pdf', size: 10 },
  ],
  ['imports', () => `/f/${T()}/imports`, { fileName: 'a.xlsx', size: 10 }],
  [
    'photos',
    () => `/f/${T()}/hazards/LY-101/${hazardId}/photos`,
    { photoKind: 'before', fileName: 'a.png', size: 10 },
  ],
];

const jsonRows: HttpRow[] = jsonRoutes.flatMap(([route, path, good]) => {
  const withField = (name: string, value: unknown) => () => JSON.stringify({ ...good, [name]: value });
  const firstString = Object.keys(good).find((k) => typeof good[k] === 'string') ?? 'fileName';
  const row = (
    name: string,
    body: () => string,
    status: number,
    says: readonly [string, string],
  ): HttpRow => ({
    name: `POST ${route}: ${name}`,
    method: 'POST',
    path,
    body,
    headers: json,
    status,
    says,
  });
  return [
    row('10,000 levels of [', () => '['.repeat(10_000), 400, DEEP),
    row('10,000 levels of {"a":', () => '{"a":'.repeat(10_000), 400, DEEP),
    row('65 levels, closed', () => `${'['.repeat(65)}${']'.repeat(65)}`, 400, DEEP),
    row('100,000 levels inside a field', () => `{"fileName":${'['.repeat(100_000)}`, 400, DEEP),
    row('truncated JSON', () => '{"fileName":', 400, SYNTAX),
    row('empty body', () => '', 400, SYNTAX),
    row('not JSON at all', () => 'fileName=a.pdf', 400, SYNTAX),
    row('a lone NUL', () => '\u0000', 400, SYNTAX),
    row('null', () => 'null', 400, INVALID),
    row('an array', () => '[]', 400, INVALID),
    row('a string', () => '"a.pdf"', 400, INVALID),
    row(`NUL in ${firstString}`, withField(firstString, 'a\u0000.pdf'), 400, CONTROL),
    row(`ESC in ${firstString}`, withField(firstString, '\u001b[31ma.pdf'), 400, CONTROL),
    row(`DEL in ${firstString}`, withField(firstString, 'a\u007f.pdf'), 400, CONTROL),
    row(`C1 NEL in ${firstString}`, withField(firstString, 'a\u0085.pdf'), 400, CONTROL),
    row('control character in a field name', () => JSON.stringify({ ...good, 'x\u0001': 1 }), 400, CONTROL),
    row('a body of 2 MB', withField(firstString, big(2 * 1024 * 1024)), 413, TOO_LARGE),
    // Under the size limit, refused, and shown back cut short (the row checks the answer's size).
    row(`a ${firstString} of 900 KB`, withField(firstString, big(900 * 1024)), 400, INVALID),
    row(
      '900 KB of unknown field names',
      () => JSON.stringify({ ...good, [big(900 * 1024)]: 1 }),
      400,
      INVALID,
    ),
    row('size as text', withField('size', '10'), 400, INVALID),
    row('size negative', withField('size', -1), 400, INVALID),
    row(
      'size 1e309 (Infinity)',
      () => JSON.stringify(good).replace(/"size":\d+/, '"size":1e309'),
      400,
      INVALID,
    ),
    row('size fractional', withField('size', 1.5), 400, INVALID),
    row('an unknown field', withField('bucket', 'other'), 400, INVALID),
  ];
});

const formRows = (route: string, path: () => string, good: string): HttpRow[] => {
  const row = (name: string, body: string, status: number, says: readonly [string, string]): HttpRow => ({
    name: `POST ${route}: ${name}`,
    method: 'POST',
    path,
    body: () => body,
    headers: form,
    status,
    says,
  });
  return [
    row('%zz in a value', `${good}&note=%zz`, 400, PERCENT),
    row('a lone % at the end', `${good}&note=50%`, 400, PERCENT),
    row('%E4%B8 (cut-off UTF-8)', `${good}&note=%E4%B8`, 400, PERCENT),
    row('%C3%28 (invalid UTF-8)', `${good}&note=%C3%28`, 400, PERCENT),
    row('%zz in a field name', `${good}&no%zzte=1`, 400, PERCENT),
    row('NUL in a value', `${good}&note=a%00b`, 400, CONTROL),
    row('BEL in a value', `${good}&note=a%07b`, 400, CONTROL),
    row('C1 control in a value', `${good}&note=a%C2%85b`, 400, CONTROL),
    row('control character in a field name', `${good}&%01=1`, 400, CONTROL),
    row('a body of 2 MB', `${good}&note=${big(2 * 1024 * 1024)}`, 413, TOO_LARGE),
  ];
};

const httpRows: HttpRow[] = [
  ...jsonRows,
  ...formRows('zero-report', () => `/f/${T()}/zero-report`, 'checkedOn=2018-01-15'),
  ...formRows('hazard report', () => `/f/${T()}/hazards`, 'area=fire-safety&level=general&title=x'),
  ...formRows('hazard action', () => `/f/${T()}/hazards/LY-101/${hazardId}/actions`, 'action=start'),
  {
    name: 'POST photos: a hazard that does not exist',
    method: 'POST',
    path: () => `/f/${T()}/hazards/LY-101/H-999/photos`,
    body: () => JSON.stringify({ photoKind: 'before', fileName: 'a.png', size: 10 }),
    headers: json,
    status: 404,
    says: ['隐患', 'hazard'],
  },
  ...['abc', '-1', '0x10', '1e3', '999999999999'].map(
    (version): HttpRow => ({
      name: `GET a file version ${version}`,
      method: 'GET',
      path: () => `/f/${T()}/files/implementation-plan/${version}`,
      status: 404,
      says: ['没有这个文件版本', 'No such version'],
    }),
  ),
  ...['abc', '-1', '99'].map(
    (n): HttpRow => ({
      name: `GET photo ${n} of a hazard`,
      method: 'GET',
      path: () => `/f/${T()}/hazards/LY-101/${hazardId}/photos/${n}`,
      status: 404,
      says: ['没有这张照片', 'No such photo'],
    }),
  ),
  ...[
    ['an unknown token', () => `/f/${'Z'.repeat(43)}`],
    ['a token of 10,000 characters', () => `/f/${big(10_000)}`],
    ['a Chinese token', () => '/f/令牌令牌'],
    ['a token of dots', () => '/f/...'],
    ['uploads of an unknown token', () => `/f/${'Q'.repeat(43)}/hazards/new`],
  ].map(
    ([name, path]): HttpRow => ({
      name: `GET ${name as string}`,
      method: 'GET',
      path: path as () => string,
      status: 404,
      says: NOT_FOUND,
    }),
  ),
  {
    name: 'GET a made-up download link',
    method: 'GET',
    path: () => `/d/${'y'.repeat(43)}`,
    status: 404,
    says: ['下载链接无效', 'not valid'],
  },
];

describe('hostile input to the HTTP routes: refused cleanly, nothing stored', () => {
  it.each(httpRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const before = await stored();
    const response = await app.http(row.method, row.path(), {
      ...(row.body ? { body: row.body() } : {}),
      headers: row.headers ?? {},
      sourceIp: `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
    });
    expect(response.statusCode).toBe(row.status);
    expect(response.body).toContain(row.says[0]);
    expect(response.body).toContain(row.says[1]);
    expect(response.body.length).toBeLessThan(20_000);
    expectSecurityHeaders(response.headers);
    expect(await stored()).toEqual(before);
  });
});

interface BridgeRow {
  name: string;
  method: string;
  path: string;
  body?: string;
  status: number;
  says: readonly [string, string];
}

const bridgeRows: BridgeRow[] = [
  { name: 'an unknown path', method: 'GET', path: '/nope', status: 404, says: ['页面不存在', 'Not Found'] },
  { name: 'an empty token', method: 'GET', path: '/f/', status: 404, says: ['页面不存在', 'Not Found'] },
  {
    name: 'another asset',
    method: 'GET',
    path: '/assets/x.js',
    status: 404,
    says: ['页面不存在', 'Not Found'],
  },
  {
    name: 'POST to the landing page',
    method: 'POST',
    path: '/',
    status: 404,
    says: ['页面不存在', 'Not Found'],
  },
  { name: 'PUT a form link', method: 'PUT', path: '/f/abc', status: 404, says: ['页面不存在', 'Not Found'] },
  {
    name: 'DELETE a form link',
    method: 'DELETE',
    path: '/f/abc',
    status: 404,
    says: ['页面不存在', 'Not Found'],
  },
  {
    name: '%zz in the token',
    method: 'GET',
    path: '/f/%zz',
    status: 400,
    says: ['URL 编码有误', 'percent-encoding'],
  },
  {
    name: '%C3%28 in the token',
    method: 'GET',
    path: '/f/%C3%28',
    status: 400,
    says: ['URL 编码', 'percent'],
  },
  { name: '% in a download link', method: 'GET', path: '/d/%', status: 400, says: ['URL 编码', 'percent'] },
  {
    name: '%E4 in a deliverable',
    method: 'GET',
    path: '/f/abc/files/%E4/1',
    status: 400,
    says: ['URL 编码', 'percent'],
  },
  {
    name: 'NUL in the token',
    method: 'GET',
    path: '/f/a%00b',
    status: 400,
    says: ['不能包含控制字符', 'control characters'],
  },
  {
    name: 'a 2 MB upload request (the bridge stops reading)',
    method: 'POST',
    path: '/f/abc/uploads',
    body: big(2 * 1024 * 1024),
    status: 413,
    says: TOO_LARGE,
  },
  {
    name: 'a 2 MB hazard form (the bridge stops reading)',
    method: 'POST',
    path: '/f/abc/hazards',
    body: `title=${big(2 * 1024 * 1024)}`,
    status: 413,
    says: TOO_LARGE,
  },
];

describe('hostile requests to the local API Gateway bridge', () => {
  it.each(bridgeRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const response = await fetch(`${system.url}${row.path}`, {
      method: row.method,
      ...(row.body ? { body: row.body, headers: { 'content-type': 'application/json' } } : {}),
    });
    const body = await response.text();
    expect(response.status).toBe(row.status);
    expect(body).toContain(row.says[0]);
    expect(body).toContain(row.says[1]);
    expectSecurityHeaders(Object.fromEntries(response.headers));
  });
});

/** What the page's script shows for each refusal code of storage (functions/http/assets.ts). */
const SHOWN: Record<string, readonly [string, string]> = {
  AccessDenied: ['上传表单与文件不符或已过期', 'does not match the file or has expired'],
  SignatureDoesNotMatch: ['上传表单已被改动', 'was altered'],
  EntityTooSmall: ['文件是空的', 'The file is empty'],
  EntityTooLarge: ['文件太大', 'too large'],
  PreconditionFailed: ['这个上传表单已经用过', 'used already'],
  default: ['存储服务拒收了文件', 'Storage refused the file'],
};

interface S3Row {
  name: string;
  /** Makes the form to post (from a fresh, real one) and the bytes; returns the keys to watch. */
  make(form: Awaited<ReturnType<typeof requestForm>>): {
    url?: string;
    fields: Record<string, string>;
    bytes?: Uint8Array;
    files?: number;
  };
  status: number;
  code: string;
  /** Post the real form once first (the reuse case). */
  reuse?: boolean;
  size?: number;
}

const PDF = new TextEncoder().encode('%PDF-1.7\nhostile\n');
const OTHER = 'incoming/JK-105/0b6e4c2a-0000-4000-8000-000000000000';
const signed = (key: string, extra: unknown[] = [], expiration = new Date(Date.now() + 600_000)) => ({
  key,
  'Content-Type': 'application/pdf',
  bucket: system.bucket,
  ...signPolicy([{ bucket: system.bucket }, { key }, { 'Content-Type': 'application/pdf' }, ...extra], {
    expiration,
  }),
});

const s3Rows: S3Row[] = [
  ...[
    ['another unit’s key', OTHER],
    ['a key outside incoming/', 'digests/planted.pdf'],
    ['a key in quarantine/', 'quarantine/JK-104/x'],
    ['a key climbing out with ../', 'incoming/JK-104/../JK-105/x'],
    ['an empty key', ''],
    ['a key with a NUL', 'incoming/JK-104/x\u0000'],
    ['the key with a suffix', '*suffix'],
  ].map(
    ([name, key]): S3Row => ({
      name: `altered key: ${name}`,
      make: (form) => ({
        fields: { ...form.fields, key: key === '*suffix' ? `${form.key}x` : (key as string) },
      }),
      status: 403,
      code: 'AccessDenied',
    }),
  ),
  {
    name: 'no key field',
    make: (form) => ({
      fields: Object.fromEntries(Object.entries(form.fields).filter(([k]) => k !== 'key')),
    }),
    status: 400,
    code: 'InvalidArgument',
  },
  {
    name: 'an expired policy (validly signed)',
    make: (form) => ({
      fields: signed(form.key, [['content-length-range', 1, 100]], new Date(Date.now() - 1000)),
    }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'another content type',
    make: (form) => ({ fields: { ...form.fields, 'Content-Type': 'text/html' } }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'the content type in other case',
    make: (form) => ({ fields: { ...form.fields, 'Content-Type': 'Application/PDF' } }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'oversized for the policy (validly signed, 1..10 bytes)',
    make: (form) => ({ fields: signed(form.key, [['content-length-range', 1, 10]]) }),
    status: 400,
    code: 'EntityTooLarge',
  },
  {
    name: 'oversized for the campaign limit (20 MB + 1)',
    make: (form) => ({ fields: form.fields, bytes: new Uint8Array(20 * 1024 * 1024 + 1) }),
    status: 400,
    code: 'EntityTooLarge',
  },
  {
    name: 'zero bytes',
    make: (form) => ({ fields: form.fields, bytes: new Uint8Array() }),
    status: 400,
    code: 'EntityTooSmall',
  },
  {
    name: 'a tampered signature',
    make: (form) => {
      const s = form.fields['X-Amz-Signature'] ?? '';
      return {
        fields: { ...form.fields, 'X-Amz-Signature': `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}` },
      };
    },
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'a signature that is no hex',
    make: (form) => ({ fields: { ...form.fields, 'X-Amz-Signature': 'zz' } }),
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'a policy widened without re-signing',
    make: (form) => {
      const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString()) as {
        conditions: unknown[];
      };
      policy.conditions = policy.conditions.filter(
        (c) => !(Array.isArray(c) && c[0] === 'content-length-range'),
      );
      return { fields: { ...form.fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') } };
    },
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'a policy signed with another secret',
    make: (form) => ({
      fields: {
        ...form.fields,
        ...signPolicy([{ key: form.key }], { expiration: new Date(Date.now() + 60_000), secret: 'guessed' }),
      },
    }),
    status: 403,
    code: 'SignatureDoesNotMatch',
  },
  {
    name: 'an unknown access key',
    make: (form) => ({
      fields: {
        ...form.fields,
        ...signPolicy([{ key: form.key }], {
          expiration: new Date(Date.now() + 60_000),
          accessKeyId: 'AKIDEXAMPLE',
        }),
      },
    }),
    status: 403,
    code: 'InvalidAccessKeyId',
  },
  {
    name: 'a malformed credential',
    make: (form) => ({ fields: { ...form.fields, 'X-Amz-Credential': 'S3RVER/today' } }),
    status: 400,
    code: 'InvalidArgument',
  },
  {
    name: 'another algorithm',
    make: (form) => ({ fields: { ...form.fields, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' } }),
    status: 400,
    code: 'InvalidArgument',
  },
  {
    name: 'no policy',
    make: (form) => ({
      fields: Object.fromEntries(Object.entries(form.fields).filter(([k]) => k !== 'Policy')),
    }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'an extra field the policy does not list',
    make: (form) => ({ fields: { ...form.fields, 'x-amz-meta-owner': 'JK-105' } }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'the redirect pointed elsewhere',
    make: (form) => ({ fields: { ...form.fields, success_action_redirect: 'https://evil.example/' } }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'the form posted to another bucket',
    make: (form) => ({ url: form.url.replace(system.bucket, 'other-bucket'), fields: form.fields }),
    status: 403,
    code: 'AccessDenied',
  },
  {
    name: 'a policy that is no JSON (validly signed)',
    make: (form) => {
      const fields = signed(form.key);
      return { fields: { ...fields, ...resign('not json{') } };
    },
    status: 400,
    code: 'InvalidPolicyDocument',
  },
  {
    name: 'a policy nested 10,000 deep (validly signed)',
    make: (form) => ({ fields: { ...signed(form.key), ...resign(`{"conditions":${'['.repeat(10_000)}`) } }),
    status: 400,
    code: 'InvalidPolicyDocument',
  },
  {
    name: 'a policy with an unknown condition (validly signed)',
    make: (form) => ({
      fields: {
        ...signed(form.key),
        ...resign(
          JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions: [['matches', '$key', '.*']] }),
        ),
      },
    }),
    status: 400,
    code: 'InvalidPolicyDocument',
  },
  {
    name: 'no file',
    make: (form) => ({ fields: form.fields, files: 0 }),
    status: 400,
    code: 'InvalidArgument',
  },
  {
    name: 'two files',
    make: (form) => ({ fields: form.fields, files: 2 }),
    status: 400,
    code: 'InvalidArgument',
  },
  {
    name: 'the form reused',
    make: (form) => ({ fields: form.fields }),
    status: 412,
    code: 'PreconditionFailed',
    reuse: true,
  },
];

/** A policy document signed as is (to reach the checks after the signature). */
function resign(document: string): Record<string, string> {
  const fields = signPolicy([], { expiration: new Date(Date.now() + 60_000) });
  const policy = Buffer.from(document).toString('base64');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const day = (fields['X-Amz-Credential'] ?? '').split('/')[1] ?? '';
  const key = hmac(hmac(hmac(hmac('AWS4S3RVER', day), 'us-east-1'), 's3'), 'aws4_request');
  return { ...fields, Policy: policy, 'X-Amz-Signature': hmac(key, policy).toString('hex') };
}

async function postRaw(url: string, fields: Record<string, string>, bytes: Uint8Array, files: number) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (let i = 0; i < files; i++)
    data.append('file', new Blob([bytes], { type: 'application/pdf' }), 'a.pdf');
  const response = await fetch(url, {
    method: 'POST',
    body: data,
    redirect: 'manual',
    headers: { origin: 'http://school.test' },
  });
  const text = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null,
    headers: response.headers,
  };
}

describe('hostile posts to the local S3: refused as S3 refuses them, nothing stored', () => {
  it.each(s3Rows.map((row) => [row.name, row] as const))('%s', { timeout: 30_000 }, async (_name, row) => {
    const form = await requestForm(
      system.url,
      system.links['JK-104'] ?? '',
      '实施方案.pdf',
      20 * 1024 * 1024,
    );
    if (row.reuse) expect((await postForm(form, PDF)).status).toBe(303);
    const watched = ['incoming/JK-104/', 'incoming/JK-105/', 'digests/planted', 'quarantine/JK-104/'];
    const before = await Promise.all(watched.map((p) => objectsUnder(system.bucket, p)));
    const attempt = row.make(form);
    const answer = await postRaw(
      attempt.url ?? form.url,
      attempt.fields,
      attempt.bytes ?? PDF,
      attempt.files ?? 1,
    );
    expect(answer.status).toBe(row.status);
    expect(answer.code).toBe(row.code);
    expect(answer.headers.get('content-type')).toBe('application/xml');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const [zh, en] = SHOWN[row.code] ?? SHOWN.default ?? ['', ''];
    expect(UPLOAD_SCRIPT).toContain(zh);
    expect(UPLOAD_SCRIPT).toContain(en);
    expect(await Promise.all(watched.map((p) => objectsUnder(system.bucket, p)))).toEqual(before);
  });
});

interface ConfigRow {
  name: string;
  campaign?: string | null;
  roster?: string | null;
  says: readonly [string, string];
}

const CAMPAIGN = 'campaigns/2018-changzhou.json';
const configRows: ConfigRow[] = [
  { name: 'a campaign nested 100,000 deep', campaign: '['.repeat(100_000), says: DEEP },
  { name: 'a campaign object nested 10,000 deep', campaign: '{"a":'.repeat(10_000), says: DEEP },
  { name: 'an empty campaign file', campaign: '', says: SYNTAX },
  { name: 'a campaign cut short', campaign: '{"id":', says: SYNTAX },
  { name: 'a missing campaign file', campaign: null, says: ['找不到文件', 'file not found'] },
  { name: 'a campaign that is an array', campaign: '[]', says: ['应为对象', 'must be of type object'] },
  {
    name: 'a campaign id of 1 MB',
    campaign: JSON.stringify({ id: big(1024 * 1024) }),
    says: ['…', 'problem'],
  },
  { name: 'a roster nested 100,000 deep', roster: '['.repeat(100_000), says: DEEP },
  { name: 'a missing roster named with --roster', roster: null, says: ['找不到文件', 'file not found'] },
  { name: 'a roster with two BOMs', roster: '\ufeff\ufeff{}', says: SYNTAX },
];

describe('hostile config files for campaign validate', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostile-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(configRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const campaignPath = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    const rosterPath = join(dir, `${Math.random().toString(36).slice(2)}.roster.json`);
    if (row.campaign !== null)
      await writeFile(campaignPath, row.campaign ?? (await readFile(CAMPAIGN, 'utf8')));
    if (row.roster !== null && row.roster !== undefined) await writeFile(rosterPath, row.roster);
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const code = await main(
      ['validate', campaignPath, ...(row.roster !== undefined ? ['--roster', rosterPath] : [])],
      output,
    );
    const text = lines.join('\n');
    expect(code).toBe(1);
    expect(text).toContain(row.says[0]);
    expect(text).toContain(row.says[1]);
    expect(text.length).toBeLessThan(5_000);
  });

  it('a campaign and roster saved with a BOM (Windows Notepad) are accepted', async () => {
    const campaignPath = join(dir, 'bom.json');
    await writeFile(campaignPath, `\ufeff${await readFile(CAMPAIGN, 'utf8')}`);
    await writeFile(
      join(dir, 'bom.roster.json'),
      `\ufeff${await readFile('campaigns/2018-changzhou.roster.json', 'utf8')}`,
    );
    const lines: string[] = [];
    const code = await main(['validate', campaignPath], {
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    expect(lines.join('\n')).toContain('units');
    expect(code).toBe(0);
  });

  it(`has at least 110 rows in all`, () => {
    expect(httpRows.length + bridgeRows.length + s3Rows.length + configRows.length).toBeGreaterThanOrEqual(
      110,
    );
  });
});
