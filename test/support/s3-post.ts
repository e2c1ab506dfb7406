import { createHmac } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { testClients } from './tables.ts';

export interface SignedForm {
  url: string;
  fields: Record<string, string>;
}

/** Asks the running system's API for an upload form, as the page's script does. */
export async function requestForm(appUrl: string, token: string, fileName = '实施方案.pdf', size = 20) {
  const response = await fetch(`${appUrl}/f/${token}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deliverableId: 'implementation-plan', fileName, size }),
  });
  if (response.status !== 200) throw new Error(`form: ${response.status} ${await response.text()}`);
  return (await response.json()) as SignedForm & { key: string };
}

/** Posts `bytes` with `fields` as a browser posts a form (the file last). */
export async function postForm(form: SignedForm, bytes: Uint8Array, fileType = 'application/pdf') {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append('file', new Blob([bytes], { type: fileType }), 'upload.pdf');
  const response = await fetch(form.url, {
    method: 'POST',
    body: data,
    redirect: 'manual',
    headers: { origin: 'http://school.test' },
  });
  const body = await response.text();
  return {
    status: response.status,
    code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? null,
    headers: response.headers,
    body,
  };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** Fields for a POST policy signed with the local credentials, as createPresignedPost signs one. */
export function signPolicy(
  conditions: unknown[],
  options: { expiration: Date; secret?: string; accessKeyId?: string; region?: string } = {
    expiration: new Date(Date.now() + 600_000),
  },
): Record<string, string> {
  const accessKeyId = options.accessKeyId ?? 'S3RVER';
  const region = options.region ?? 'us-east-1';
  const date = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = date.slice(0, 8);
  const credential = `${accessKeyId}/${day}/${region}/s3/aws4_request`;
  const policy = Buffer.from(
    JSON.stringify({
      expiration: options.expiration.toISOString(),
      conditions: [
        ...conditions,
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
        { 'X-Amz-Credential': credential },
        { 'X-Amz-Date': date },
      ],
    }),
  ).toString('base64');
  const key = hmac(hmac(hmac(hmac(`AWS4${options.secret ?? 'S3RVER'}`, day), region), 's3'), 'aws4_request');
  return {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': credential,
    'X-Amz-Date': date,
    Policy: policy,
    'X-Amz-Signature': hmac(key, policy).toString('hex'),
  };
}

/** Every key and ETag under `prefix` (the snapshot a refusal must leave unchanged). */
export async function objectsUnder(bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await testClients().s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) out.push(`${o.Key}:${o.ETag}`);
    token = page.NextContinuationToken;
  } while (token);
  return out.sort();
}
