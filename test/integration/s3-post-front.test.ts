import { request as httpRequest } from 'node:http';
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

  /** A raw request to the front, with headers fetch would not send (Host). */
  const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(endpoints.s3);
      const sent = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (answer) => {
          let text = '';
          answer.on('data', (chunk) => {
            text += chunk;
          });
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: text }));
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });

  it('no way around the checks: a query on the POST, a virtual-hosted bucket, an unsigned PUT', async () => {
    const before = await objectsUnder(system.bucket, 'incoming/JK-105/');
    const form = await requestForm(system.url, token('JK-105'), '实施方案.pdf', PDF.length);
    const altered = {
      ...form,
      url: `${form.url}?x-id=PostObject`,
      fields: { ...form.fields, key: 'incoming/JK-105/evil' },
    };
    expect(await postForm(altered, PDF)).toMatchObject({ status: 403 });
    const url = new URL(endpoints.s3);
    const hosted = await raw(
      'PUT',
      '/incoming/JK-105/hosted',
      { host: `${system.bucket}.localhost:${url.port}` },
      'x',
    );
    expect(hosted.status).toBe(400);
    expect(hosted.body).toContain('InvalidRequest');
    const unsigned = await raw('PUT', `/${system.bucket}/incoming/JK-105/unsigned`, { host: url.host }, 'x');
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('AccessDenied');
    expect(await objectsUnder(system.bucket, 'incoming/JK-105/')).toEqual(before);
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
