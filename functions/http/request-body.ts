import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { controlCharacterIn, controlCharacterIssues, parseJsonText } from '../../schemas/json-text.ts';
import { type FieldIssue, MESSAGES } from '../../schemas/validation.ts';
import { ForbiddenError, PayloadTooLargeError, ValidationError } from '../shared/domain/errors.ts';

/**
 * Request decoding, the one place raw input becomes values: sizes, percent-encoding, JSON
 * nesting and control characters are refused here (4xx, bilingual, naming the field), before
 * any route sees the input. Uploads go to storage, never through here, so no body of this API
 * needs more than a few kilobytes; 1 MB leaves room for the longest hazard report.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export const TOO_LARGE = {
  zh: `提交的内容过大（上限 ${MAX_REQUEST_BODY_BYTES / 1024 / 1024} MB）`,
  en: `The request is too large (at most ${MAX_REQUEST_BODY_BYTES / 1024 / 1024} MB)`,
};

export const BAD_PATH = {
  zh: '网址的 URL 编码有误',
  en: 'The address has malformed percent-encoding',
};

type Event = APIGatewayProxyEventV2;

/** The body as text, refused past `MAX_REQUEST_BODY_BYTES`. */
export function bodyText(event: Event): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_REQUEST_BODY_BYTES) throw new PayloadTooLargeError(TOO_LARGE);
  return bytes.toString('utf8');
}

const issue = (path: string, value: unknown, code: 'percent-encoding'): FieldIssue => ({
  path,
  value,
  code,
  ...MESSAGES[code](),
});

function decodeComponent(text: string, path: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new ValidationError([issue(path, text, 'percent-encoding')]);
  }
}

/**
 * An `application/x-www-form-urlencoded` body, decoded strictly: `URLSearchParams` would keep a
 * malformed `%zz` as it is and store it; here it is a 400 naming the field, as is a control
 * character in any name or value, except in the fields named by `leaveToSchema`: a schema
 * that refuses control characters itself, field by field, and brings the form back as typed
 * (the hazard report).
 */
export function formBody(event: Event, leaveToSchema: ReadonlySet<string> = new Set()): URLSearchParams {
  const form = new URLSearchParams();
  const problems: FieldIssue[] = [];
  for (const pair of bodyText(event).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decodeComponent(rawName, rawName);
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1), name);
    if (!leaveToSchema.has(name)) problems.push(...controlCharacterIssues({ [name]: value }));
    form.append(name, value);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return form;
}

/** A JSON body: too deep, malformed, or holding a control character in any string is a 400. */
export function jsonBody(event: Event): unknown {
  const parsed = parseJsonText(bodyText(event));
  if (!parsed.ok) throw new ValidationError(parsed.issues);
  const problems = controlCharacterIssues(parsed.value);
  if (problems.length > 0) throw new ValidationError(problems);
  return parsed.value;
}

/** The path must decode (API Gateway passes it on as sent) and hold no control characters. */
export function checkPath(event: Event): void {
  let path: string;
  try {
    path = decodeURIComponent(event.rawPath ?? '');
  } catch {
    throw new ValidationError([issue('path', event.rawPath, 'percent-encoding')], BAD_PATH);
  }
  const found = controlCharacterIn(path);
  if (found) {
    throw new ValidationError(
      [{ path: 'path', value: path, code: 'control-character', ...MESSAGES['control-character'](found) }],
      BAD_PATH,
    );
  }
}

const FOREIGN_POST = {
  zh: '拒绝来自其他网站的提交，请在本站页面上重新提交',
  en: 'A form posted from another site is refused; submit it again from this site',
};

/**
 * A POST sent by another site's page is refused before any route runs (CSRF defence in depth:
 * Fetch Metadata first, then Origin). A request without either header (not a browser) passes;
 * so does `Origin: null`, which browsers send for this site's own forms under `no-referrer`.
 */
export function checkSameOrigin(event: Event): void {
  if (event.requestContext.http.method !== 'POST') return;
  const origin = event.headers.origin;
  const host = event.headers.host ?? event.requestContext.domainName;
  let foreign = event.headers['sec-fetch-site'] === 'cross-site';
  if (!foreign && origin !== undefined && origin !== 'null') {
    try {
      foreign = new URL(origin).host !== host;
    } catch {
      foreign = true;
    }
  }
  if (foreign) throw new ForbiddenError(FOREIGN_POST);
}
