import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { UPLOAD_SCRIPT } from '../../functions/http/assets.ts';
import { objectsUnder, postForm, requestForm } from '../support/s3-post.ts';
import { testClients } from '../support/tables.ts';

const system = inject('system');
const endpoints = inject('endpoints');
const PDF = new TextEncoder().encode('%PDF-1.7\nfront test\n');
const token = (unit: string) => system.links[unit] ?? '';

describe('the local S3 front enforces POST policies', () => {
  it('the page script that posts files and shows refusals is valid JavaScript', () => {
    expect(() => new Function(UPLOAD_SCRIPT)).not.toThrow();
  });

  it('the form the API hands out posts to the front, which stores the file and redirects back', async () => {
    const form = await requestForm(system.url, token('JK-104'), '实施方案.pdf', PDF.length);
    expect(form.url.startsWith(endpoints.s3)).toBe(true);
    const posted = await postForm(form, PDF);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toContain('uploaded=implementation-plan');
    expect(posted.headers.get('access-control-allow-origin')).toBe('*');
    const head = await testClients().s3.send(new HeadObjectCommand({ Bucket: system.bucket, Key: form.key }));
    expect(head.ContentLength).toBe(PDF.length);
  });

  it('a form admits one file: posting it again, or twice at once, stores exactly one object', async () => {
    const form = await requestForm(system.url, token('JK-104'), '实施方案.pdf', PDF.length);
    const before = await objectsUnder(system.bucket, 'incoming/JK-104/');
    const racing = await Promise.all([postForm(form, PDF), postForm(form, PDF), postForm(form, PDF)]);
    expect(racing.map((r) => r.status).sort()).toEqual([303, 412, 412]);
    const again = await postForm(form, new TextEncoder().encode('%PDF-1.7\nother bytes\n'));
    expect(again).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    const after = await objectsUnder(system.bucket, 'incoming/JK-104/');
    expect(after.filter((o) => !before.includes(o))).toHaveLength(1);
    expect(after.find((o) => o.startsWith(`${form.key}:`))).toBeDefined();
  });

  it('a POST sent chunked (no Content-Length) is checked and stored like any other', async () => {
    const form = await requestForm(system.url, token('JK-104'), '实施方案.pdf', PDF.length);
    const data = new FormData();
    for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
    data.append('file', new Blob([PDF], { type: 'application/pdf' }), 'a.pdf');
    const encoded = new Response(data);
    const response = await fetch(form.url, {
      method: 'POST',
      body: encoded.body,
      headers: { 'content-type': encoded.headers.get('content-type') ?? '' },
      redirect: 'manual',
      duplex: 'half',
    } as RequestInit);
    expect([response.status, response.status === 303 ? '' : await response.text()]).toEqual([303, '']);
    const head = await testClients().s3.send(new HeadObjectCommand({ Bucket: system.bucket, Key: form.key }));
    expect(head.ContentLength).toBe(PDF.length);
  });

  it('downloads through the front carry nosniff; other requests pass through unchanged', async () => {
    const form = await requestForm(system.url, token('JK-104'), '实施方案.pdf', PDF.length);
    expect((await postForm(form, PDF)).status).toBe(303);
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const url = await getSignedUrl(
      testClients().s3,
      new GetObjectCommand({ Bucket: system.bucket, Key: form.key }),
    );
    expect(url.startsWith(endpoints.s3)).toBe(true);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(PDF);
  });
});
