import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { parseJsonText } from '../../schemas/json-text.ts';
import { discardRest } from './http-bridge.ts';

/**
 * The local S3's front door. s3rver stores what a browser POSTs without checking the POST policy
 * (signature, expiry, conditions), so locally an altered `key` field could plant an object under
 * another unit's prefix or outside `incoming/`. This front enforces the policy as S3 does, then
 * hands the untouched request to s3rver; every other request (SDK calls, presigned GETs) passes
 * through unchanged, so `AWS_ENDPOINT_URL_S3` points here and means what it did.
 *
 * One local rule goes beyond S3: a second object on an existing key under `incoming/` is refused
 * (412 PreconditionFailed, S3's answer to a write that must not overwrite). The keys are fresh
 * UUIDs, so only a reused form hits it: locally a form admits one file. In AWS the bucket is
 * versioned and each object version is filed on its own.
 *
 * Presigned GETs (downloads) get `X-Content-Type-Options: nosniff`, so a browser never runs a
 * filed file as something its declared type is not.
 */
export interface S3FrontOptions {
  host: string;
  port: number;
  /** s3rver's own address, e.g. `http://127.0.0.1:4569`. */
  backend: string;
  /** Access key id → secret, the keys the local S3 accepts. */
  accessKeys: Readonly<Record<string, string>>;
  /** Wall clock for policy expiry (policies are signed on the wall clock, not the campaign's). */
  now?: () => Date;
  /** The largest POST body read at all (S3 itself takes up to 5 GB). */
  maxPostBytes?: number;
}

export interface S3Refusal {
  status: number;
  code: string;
  message: string;
}

const refuse = (status: number, code: string, message: string): S3Refusal => ({ status, code, message });
const policyFailed = (detail: string) =>
  refuse(403, 'AccessDenied', `Invalid according to Policy: ${detail}`);

/** Fields that the policy itself never lists (S3's POST rules). */
const UNLISTED = new Set(['policy', 'x-amz-signature', 'file']);

export interface PostForm {
  /** Form fields by lower-cased name (S3 matches field names case-insensitively). */
  fields: ReadonlyMap<string, string>;
  fileSize: number;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks a browser POST against its policy as S3 does: the SigV4 signature of the policy, the
 * expiry, and every condition (exact and `starts-with` matches, `content-length-range`, the
 * bucket), and that every field sent is covered by a condition. Null when it is allowed.
 */
export function checkPostPolicy(input: {
  bucket: string;
  form: PostForm;
  accessKeys: Readonly<Record<string, string>>;
  now: Date;
}): S3Refusal | null {
  const { fields, fileSize } = input.form;
  const field = (name: string) => fields.get(name.toLowerCase());
  const policy = field('policy');
  const signature = field('x-amz-signature');
  const credential = field('x-amz-credential');
  if (field('key') === undefined)
    return refuse(400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.");
  if (policy === undefined || signature === undefined || credential === undefined)
    return refuse(403, 'AccessDenied', 'Access Denied');
  if (field('x-amz-algorithm') !== 'AWS4-HMAC-SHA256')
    return refuse(400, 'InvalidArgument', 'Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm.');

  const [accessKeyId = '', date = '', region = '', service = '', terminal = ''] = credential.split('/');
  const secret = input.accessKeys[accessKeyId];
  if (secret === undefined)
    return refuse(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  if (!/^\d{8}$/.test(date) || service !== 's3' || terminal !== 'aws4_request')
    return refuse(400, 'InvalidArgument', 'x-amz-credential is malformed.');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), terminal);
  const expected = hmac(signingKey, policy);
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );

  const parsed = parseJsonText(Buffer.from(policy, 'base64').toString('utf8'));
  const document = parsed.ok ? (parsed.value as { expiration?: unknown; conditions?: unknown }) : null;
  if (
    !document ||
    typeof document !== 'object' ||
    typeof document.expiration !== 'string' ||
    !Array.isArray(document.conditions)
  )
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  const expiry = Date.parse(document.expiration);
  if (Number.isNaN(expiry))
    return refuse(400, 'InvalidPolicyDocument', "Invalid Policy: Invalid 'expiration' value.");
  if (input.now.getTime() > expiry) return policyFailed('Policy expired.');

  const listed = new Set<string>();
  for (const condition of document.conditions as unknown[]) {
    const shown = JSON.stringify(condition);
    if (Array.isArray(condition) && condition[0] === 'content-length-range') {
      const [, min, max] = condition as [string, unknown, unknown];
      if (typeof min !== 'number' || typeof max !== 'number')
        return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid content-length-range.');
      if (fileSize < min)
        return refuse(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
      if (fileSize > max)
        return refuse(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      continue;
    }
    let name: string;
    let test: (value: string | undefined) => boolean;
    if (Array.isArray(condition) && condition.length === 3 && typeof condition[1] === 'string') {
      const [op, ref, wanted] = condition as [unknown, string, unknown];
      if (!ref.startsWith('$') || typeof wanted !== 'string' || (op !== 'eq' && op !== 'starts-with'))
        return refuse(400, 'InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${shown}`);
      name = ref.slice(1).toLowerCase();
      test = (value) => value !== undefined && (op === 'eq' ? value === wanted : value.startsWith(wanted));
    } else if (condition && typeof condition === 'object' && !Array.isArray(condition)) {
      const entries = Object.entries(condition);
      const [entry] = entries;
      if (entries.length !== 1 || !entry || typeof entry[1] !== 'string')
        return refuse(400, 'InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${shown}`);
      name = entry[0].toLowerCase();
      const wanted = entry[1];
      test = (value) => value === wanted;
    } else {
      return refuse(400, 'InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${shown}`);
    }
    listed.add(name);
    // The bucket is the one in the address, whatever a form field claims.
    const actual = name === 'bucket' ? input.bucket : field(name);
    if (!test(actual)) return policyFailed(`Policy Condition failed: ${shown}`);
  }
  const extra = [...fields.keys()].filter(
    (name) => !UNLISTED.has(name) && !name.startsWith('x-ignore-') && !listed.has(name),
  );
  if (extra.length > 0) return policyFailed(`Extra input fields: ${extra.join(', ')}`);
  return null;
}

const xmlEscape = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

function cors(request: IncomingMessage): Record<string, string> {
  // The bucket's CORS rule in AWS (infra/cdk/campaign-storage.ts): POST from any origin.
  return request.headers.origin ? { 'Access-Control-Allow-Origin': '*' } : {};
}

function answerRefusal(request: IncomingMessage, response: ServerResponse, refusal: S3Refusal): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message></Error>`;
  response.writeHead(refusal.status, {
    'Content-Type': 'application/xml',
    'X-Content-Type-Options': 'nosniff',
    ...cors(request),
  });
  response.end(body);
}

class TooLarge extends Error {}

async function readAll(request: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(request.headers['content-length'] ?? 0) > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The form's fields and its one file, parsed by the platform's multipart parser (undici). */
async function parseForm(body: Buffer, contentType: string): Promise<PostForm | S3Refusal> {
  if (!/^multipart\/form-data/i.test(contentType))
    return refuse(412, 'PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data');
  let data: FormData;
  try {
    data = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
  } catch {
    return refuse(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }
  const fields = new Map<string, string>();
  let files = 0;
  let fileSize = 0;
  for (const [name, value] of data) {
    if (typeof value === 'string') {
      if (name.toLowerCase() !== 'file') fields.set(name.toLowerCase(), value);
      continue;
    }
    files += 1;
    fileSize = value.size;
  }
  if (files !== 1)
    return refuse(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  return { fields, fileSize };
}

/**
 * The bucket a path-style POST to `/<bucket>` names, or null for any other request. Whatever
 * its query, such a POST is a form upload to s3rver, so it is checked as one; only the SDK's
 * signed multi-object delete (`?delete`) passes on.
 */
function postedBucket(request: IncomingMessage): string | null {
  if (request.method !== 'POST') return null;
  const url = new URL(request.url ?? '/', 'http://local');
  if (url.searchParams.has('delete') && isSigned(request)) return null;
  const match = /^\/([^/]+)\/?$/.exec(url.pathname);
  return match?.[1] ?? null;
}

/** A request signed as the SDK signs (header or presigned query), as S3 requires of every write. */
function isSigned(request: IncomingMessage): boolean {
  const url = new URL(request.url ?? '/', 'http://local');
  return (
    String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ') ||
    url.searchParams.has('X-Amz-Signature')
  );
}

/**
 * What s3rver would store without the checks S3 makes: a virtual-hosted request (`<bucket>.host`,
 * which would skip the path-style POST check) or an unsigned write. Null when it may pass.
 */
function bypass(request: IncomingMessage): S3Refusal | null {
  const hostname = String(request.headers.host ?? '').replace(/:\d+$/, '');
  if (!/^(localhost|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])$/i.test(hostname))
    return refuse(400, 'InvalidRequest', 'Only path-style requests are served here.');
  const writes = request.method === 'PUT' || request.method === 'POST' || request.method === 'DELETE';
  if (writes && !isSigned(request) && postedBucket(request) === null)
    return refuse(403, 'AccessDenied', 'Anonymous writes are not allowed.');
  return null;
}

export async function startS3Front(options: S3FrontOptions): Promise<Server> {
  const backend = new URL(options.backend);
  const now = options.now ?? (() => new Date());
  const maxPostBytes = options.maxPostBytes ?? 256 * 1024 * 1024;
  /** Keys a POST is being stored under right now: two posts of one form race no HEAD. */
  const writing = new Set<string>();

  const forward = (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer | null,
    extraHeaders: Record<string, string>,
  ) =>
    new Promise<void>((resolve) => {
      const headers = { ...request.headers };
      if (body) {
        // The body was read whole: it goes on with its length, whatever framing it came in.
        delete headers['transfer-encoding'];
        headers['content-length'] = String(body.length);
      }
      const upstream = httpRequest(
        { host: backend.hostname, port: backend.port, method: request.method, path: request.url, headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...extraHeaders });
          answer.pipe(response);
          answer.on('end', () => resolve());
          answer.on('error', () => resolve());
        },
      );
      // A client that stops reading (a ranged or capped read that destroys its stream) must not
      // leave s3rver writing into a connection nobody drains: s3rver's close would wait for ever.
      response.on('close', () => {
        if (!response.writableFinished) upstream.destroy();
        resolve();
      });
      upstream.on('error', (error) => {
        if (!response.headersSent)
          answerRefusal(request, response, refuse(503, 'ServiceUnavailable', error.message));
        else response.destroy();
        resolve();
      });
      if (body) upstream.end(body);
      else request.pipe(upstream);
    });

  const exists = (bucket: string, key: string) =>
    new Promise<boolean>((resolve, reject) => {
      const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      // s3rver serves unsigned requests (it has no bucket policies); this HEAD never leaves the machine.
      const head = httpRequest(
        { host: backend.hostname, port: backend.port, method: 'HEAD', path, headers: { host: backend.host } },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode === 200);
        },
      );
      head.on('error', reject);
      head.end();
    });

  const handlePost = async (request: IncomingMessage, response: ServerResponse, bucket: string) => {
    let body: Buffer;
    try {
      body = await readAll(request, maxPostBytes);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      answerRefusal(
        request,
        response,
        refuse(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'),
      );
      discardRest(request);
      return;
    }
    const form = await parseForm(body, request.headers['content-type'] ?? '');
    if ('code' in form) return answerRefusal(request, response, form);
    const refusal = checkPostPolicy({ bucket, form, accessKeys: options.accessKeys, now: now() });
    if (refusal) return answerRefusal(request, response, refusal);
    const key = form.fields.get('key') ?? '';
    const slot = `${bucket}/${key}`;
    if (key.startsWith('incoming/')) {
      // Claimed before the HEAD is awaited, so of two posts of one form in flight one is refused.
      const taken = writing.has(slot);
      if (!taken) writing.add(slot);
      if (taken || (await exists(bucket, key).catch(() => false))) {
        if (!taken) writing.delete(slot);
        return answerRefusal(
          request,
          response,
          refuse(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold: this form was used already.',
          ),
        );
      }
    }
    try {
      await forward(request, response, body, cors(request));
    } finally {
      if (key.startsWith('incoming/')) writing.delete(slot);
    }
  };

  const server = createServer((request, response) => {
    const refused = bypass(request);
    if (refused) {
      request.resume();
      answerRefusal(request, response, refused);
      return;
    }
    const bucket = postedBucket(request);
    const work = bucket
      ? handlePost(request, response, bucket)
      : request.method === 'OPTIONS' && request.headers.origin
        ? Promise.resolve(
            void response
              .writeHead(200, {
                ...cors(request),
                'Access-Control-Allow-Methods': 'POST',
                'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '*',
                'Access-Control-Max-Age': '3600',
              })
              .end(),
          )
        : forward(
            request,
            response,
            null,
            request.method === 'GET' || request.method === 'HEAD'
              ? { 'X-Content-Type-Options': 'nosniff' }
              : {},
          );
    work.catch((error: unknown) => {
      if (!response.headersSent)
        answerRefusal(
          request,
          response,
          refuse(500, 'InternalError', error instanceof Error ? error.message : 'error'),
        );
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
