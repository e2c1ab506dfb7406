import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUploadLedger } from '../../functions/shared/adapters/dynamo/upload-ledger.ts';
import { testClients } from '../support/tables.ts';

/**
 * The whole upload flow through the running local system: the page or the API hands out a
 * presigned POST, the file goes straight to (local) S3, S3's notification reaches the
 * upload-received handler, and the page shows the result.
 */
const system = inject('system');
const endpoints = inject('endpoints');
const PDF = new TextEncoder().encode('%PDF-1.4\n% 实施方案 test\n');
const EXE = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);

interface Form {
  url: string;
  fields: Record<string, string>;
}

const tokenOf = (unit: string) => system.links[unit] as string;
const page = async (unit: string, query = '') =>
  (await fetch(`${system.url}/f/${tokenOf(unit)}${query}`)).text();

function presign(unit: string, body: unknown) {
  return fetch(`${system.url}/f/${tokenOf(unit)}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function formFor(unit: string, deliverableId: string, fileName: string, size: number): Promise<Form> {
  const response = await presign(unit, { deliverableId, fileName, size });
  expect(response.status).toBe(200);
  return (await response.json()) as Form;
}

const unescapeHtml = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The plain HTML form the page renders for a deliverable (what a browser without script posts). */
function pageForm(html: string, deliverableId: string): Form {
  const block = new RegExp(
    `<form class="upload" method="post" action="([^"]+)"[^>]*data-deliverable="${deliverableId}">([\\s\\S]*?)</form>`,
  ).exec(html);
  if (!block) throw new Error(`no form for ${deliverableId}`);
  const fields: Record<string, string> = {};
  for (const m of (block[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescapeHtml(m[1] ?? '')] = unescapeHtml(m[2] ?? '');
  }
  return { url: unescapeHtml(block[1] ?? ''), fields };
}

function postFile(form: Form, bytes: Uint8Array, fileName: string, override: Record<string, string> = {}) {
  const data = new FormData();
  for (const [name, value] of Object.entries({ ...form.fields, ...override })) data.append(name, value);
  data.append('file', new Blob([bytes]), fileName);
  return fetch(form.url, { method: 'POST', body: data, redirect: 'manual' });
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const store = () => new DynamoStore(testClients().doc, system.tableName);
const pointer = (unit: string, deliverable: string) =>
  new DynamoSubmissionRepository(store(), 'Asia/Shanghai').pointer(unit, deliverable);

describe('filing a deliverable through the form link', () => {
  it('presign, POST to S3, event, page: filed on time, with a receipt mail', async () => {
    const form = await formFor('JT-101', 'implementation-plan', '实施方案.pdf', PDF.length);
    expect(form.fields.key).toMatch(/^incoming\/JT-101\/[0-9a-f-]{36}$/);
    expect(form.fields['Content-Type']).toBe('application/pdf');
    const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 20 * 1024 * 1024],
        { key: form.fields.key },
        { 'Content-Type': 'application/pdf' },
      ]),
    );
    const expiresIn = new Date(policy.expiration).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);

    const posted = await postFile(form, PDF, 'ignored-by-s3.pdf');
    expect(posted.status).toBe(303);
    const back = new URL(posted.headers.get('location') ?? '');
    expect(back.pathname).toBe(`/f/${tokenOf('JT-101')}`);
    expect(back.searchParams.get('uploaded')).toBe('implementation-plan');
    expect(await page('JT-101', back.search)).toContain('文件已上传，正在核验');

    await until(async () => (await pointer('JT-101', 'implementation-plan')) !== null, 'the version');
    const html = await page('JT-101');
    expect(html).toContain('已按时报送');
    expect(html).toContain('实施方案.pdf');

    const mails = (await (await fetch(`${endpoints.sesv2}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] }; body: { text: string } }[];
    };
    const receipt = mails.emails.find((m) => m.destination.to.includes('jt-101@schools.czedu.example'));
    expect(receipt?.subject).toContain('【回执】专项行动实施方案 已收到（第 1 版）');
    expect(receipt?.body.text).toContain('按时报送');
  });

  it('keeps every version: a replacement becomes current and the first still downloads, by its Chinese name', async () => {
    const first = await formFor('JT-102', 'work-summary', '工作总结（初稿）.pdf', PDF.length);
    expect((await postFile(first, PDF, 'x.pdf')).status).toBe(303);
    await until(async () => (await pointer('JT-102', 'work-summary'))?.currentVersion === 1, 'version 1');
    const second = await formFor('JT-102', 'work-summary', '工作总结 定稿.pdf', PDF.length + 3);
    expect((await postFile(second, new Uint8Array([...PDF, 1, 2, 3]), 'y.pdf')).status).toBe(303);
    await until(async () => (await pointer('JT-102', 'work-summary'))?.currentVersion === 2, 'version 2');

    const html = await page('JT-102');
    expect(html).toMatch(/工作总结 定稿\.pdf<\/a>\s*<span class="muted">第 2 版（当前）/);
    expect(html).toContain('工作总结（初稿）.pdf');

    const download = await fetch(`${system.url}/f/${tokenOf('JT-102')}/files/work-summary/1`, {
      redirect: 'manual',
    });
    expect(download.status).toBe(302);
    const file = await fetch(download.headers.get('location') ?? '');
    expect(file.status).toBe(200);
    const disposition = file.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? '')).toBe('工作总结（初稿）.pdf');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
  });

  it('works without script: the page form posts straight to S3 and the name comes from the deliverable', async () => {
    const form = pageForm(await page('JT-103'), 'implementation-plan');
    expect(form.fields['Content-Type']).toBe('application/octet-stream');
    expect((await postFile(form, PDF, 'plan.pdf')).status).toBe(303);
    await until(async () => (await pointer('JT-103', 'implementation-plan')) !== null, 'the version');
    expect(await page('JT-103')).toContain('专项行动实施方案.pdf');
  });
});

describe('bad requests for an upload form get a clear error and change nothing', () => {
  beforeAll(async () => {
    expect(await pointer('JT-104', 'implementation-plan')).toBeNull();
  });

  const cases: [string, unknown, string, RegExp][] = [
    [
      'a 0-byte file',
      { deliverableId: 'implementation-plan', fileName: 'a.pdf', size: 0 },
      'size',
      /文件是空的.*\/ the file is empty/,
    ],
    [
      'a file over the limit',
      { deliverableId: 'implementation-plan', fileName: 'a.pdf', size: 20 * 1024 * 1024 + 1 },
      'size',
      /文件过大.*\/ the file is too large/,
    ],
    [
      'an .exe renamed a.pdf.exe',
      { deliverableId: 'implementation-plan', fileName: 'a.pdf.exe', size: 10 },
      'fileName',
      /不接受 \.exe 文件.*\/ \.exe files are not accepted/,
    ],
    [
      'an RTL-override name',
      { deliverableId: 'implementation-plan', fileName: 'report\u202Efdp.exe', size: 10 },
      'fileName',
      /不接受 \.exe/,
    ],
    [
      'a NUL hidden in the name',
      { deliverableId: 'implementation-plan', fileName: 'a.php%00.pdf', size: 10 },
      'fileName',
      /非法字符.*forbidden character/,
    ],
    [
      'a 300-character name',
      { deliverableId: 'implementation-plan', fileName: `${'很'.repeat(296)}.pdf`, size: 10 },
      'fileName',
      /文件名过长.*too long/,
    ],
    [
      'an unknown deliverable',
      { deliverableId: 'annual-report', fileName: 'a.pdf', size: 10 },
      'deliverableId',
      /不是本单位需要报送的材料.*not a deliverable/,
    ],
    ['missing fields', { deliverableId: 'implementation-plan' }, 'fileName', /必填.*is required/],
  ];

  it.each(cases)('%s', async (_name, body, path, message) => {
    const response = await presign('JT-104', body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as {
      error: { zh: string; en: string };
      issues: { path: string; zh: string; en: string }[];
    };
    expect(json.error).toEqual({ zh: '提交的内容有误', en: 'The input is invalid' });
    const issue = json.issues.find((i) => i.path === path);
    expect(`${issue?.zh} / ${issue?.en}`).toMatch(message);
    expect(await pointer('JT-104', 'implementation-plan')).toBeNull();
  });

  it('malformed JSON', async () => {
    const response = await presign('JT-104', '{"deliverableId": ');
    expect(response.status).toBe(400);
    const json = (await response.json()) as { issues: { zh: string; en: string }[] };
    expect(json.issues[0]?.zh).toContain('不是有效的 JSON');
    expect(json.issues[0]?.en).toContain('is not valid JSON');
  });
});

describe('files that pass the POST policy, or reach S3 another way, are checked after upload and quarantined', () => {
  const rejections = async (unit: string) =>
    (await new DynamoUploadLedger(store(), 'Asia/Shanghai').rejections(unit)).items;

  it('an .exe sent as a PDF, a PNG named .pdf, a 0-byte file, one over the limit and an altered key', async () => {
    const asPdf = await formFor('TN-101', 'implementation-plan', '方案.pdf', EXE.length);
    await postFile(asPdf, EXE, '方案.pdf');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    const pngAsPdf = await formFor('TN-101', 'implementation-plan', '照片.pdf', png.length);
    await postFile(pngAsPdf, png, '照片.pdf');
    // The POST policy refuses an empty file, one over the limit and an altered key at the door
    // (S3, or the local front); what reaches the bucket some other way (an SDK write) is still
    // judged after the fact.
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const put = (key: string, body: Uint8Array) =>
      testClients().s3.send(new PutObjectCommand({ Bucket: system.bucket, Key: key, Body: body }));
    const empty = pageForm(await page('TN-101'), 'work-summary');
    expect((await postFile(empty, new Uint8Array(), 'empty.pdf')).status).toBe(400);
    await put(empty.fields.key ?? '', new Uint8Array());
    const big = await formFor('TN-101', 'work-summary', 'big.pdf', 1000);
    const oversized = new Uint8Array(20 * 1024 * 1024 + 1);
    oversized.set(PDF);
    expect((await postFile(big, oversized, 'big.pdf')).status).toBe(400);
    await put(big.fields.key ?? '', oversized);
    const altered = await formFor('TN-101', 'work-summary', 'a.pdf', PDF.length);
    expect(
      (await postFile(altered, PDF, 'a.pdf', { key: 'incoming/TN-101/chosen-by-attacker' })).status,
    ).toBe(403);
    await put('incoming/TN-101/chosen-by-attacker', PDF);

    await until(async () => (await rejections('TN-101')).length === 5, 'five rejections');
    expect((await rejections('TN-101')).map((r) => r.reason).sort()).toEqual([
      'empty',
      'too-large',
      'type-mismatch',
      'type-not-accepted',
      'unknown-upload',
    ]);
    expect(await pointer('TN-101', 'implementation-plan')).toBeNull();
    expect(await pointer('TN-101', 'work-summary')).toBeNull();

    const html = await page('TN-101');
    expect(html).toContain('文件内容与扩展名不符');
    expect(html).toContain('文件内容不是可接受的类型（PDF, DOC, DOCX, WPS, JPG, PNG）');
    expect(html).toContain('文件是空的');
    expect(html).toContain('文件超过上限 20.0 MB');
    expect(html).toContain('不是通过本页面发起的上传');
    const english = await page('TN-101', '?lang=en');
    expect(english).toContain('the file&#39;s content does not match its extension');

    const { s3 } = testClients();
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const key = asPdf.fields.key ?? '';
    await expect(s3.send(new HeadObjectCommand({ Bucket: system.bucket, Key: key }))).rejects.toThrow();
    const quarantined = await s3.send(
      new HeadObjectCommand({
        Bucket: system.bucket,
        Key: `${key.replace(/^incoming\//, 'quarantine/')}/${createHash('md5').update(EXE).digest('hex')}`,
      }),
    );
    expect(quarantined.ContentLength).toBe(EXE.length);
  });
});
