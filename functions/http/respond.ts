import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Bilingual, shownValue, truncated } from '../../schemas/validation.ts';
import { DomainError, ValidationError } from '../shared/domain/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { html, type Lang, layout } from '../shared/web/html.ts';
import { SECURITY_HEADERS } from '../shared/web/security-headers.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;
export type Format = 'html' | 'json';

export function htmlResponse(
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'text/html; charset=utf-8', ...headers }, body };
}

export function jsonResponse(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

export function redirect(location: string): HttpResult {
  return { statusCode: 302, headers: { Location: location }, body: '' };
}

/** Adds the security headers; a route may have set its own, wider CSP (upload forms). */
export function withSecurityHeaders(result: HttpResult): HttpResult {
  return { ...result, headers: { ...SECURITY_HEADERS, ...result.headers } };
}

/** The error as a plain object with every secret (the request's form-link token) blanked out. */
export function redacted(
  error: unknown,
  secrets: readonly string[],
): { name: string; message: string; stack?: string } {
  const scrub = (text: string) =>
    secrets.filter((s) => s.length > 0).reduce((t, s) => t.replaceAll(s, '[redacted]'), text);
  if (!(error instanceof Error)) return { name: 'NonError', message: scrub(String(error)) };
  return {
    name: error.name,
    message: scrub(error.message),
    ...(error.stack ? { stack: scrub(error.stack) } : {}),
  };
}

const GENERIC: Bilingual = {
  zh: '系统暂时出错，请稍后再试',
  en: 'Something went wrong; please try again later',
};

/**
 * The one place errors become HTTP. A domain error shows its own message and, for invalid input,
 * each field with the value it got (4xx); anything else is logged and the user sees a generic
 * message (5xx), with no detail that could leak internals.
 */
export function errorResponse(
  error: unknown,
  options: { lang: Lang; format: Format; logger: Logger; routeKey: string; secrets: readonly string[] },
): HttpResult {
  const known = error instanceof DomainError && error.status < 500 ? error : null;
  if (!known) {
    options.logger.error('request failed', {
      routeKey: options.routeKey,
      error: redacted(error, options.secrets),
    });
  }
  const status = known?.status ?? 500;
  const message: Bilingual = known ? { zh: known.zh, en: known.en } : GENERIC;
  const issues = known instanceof ValidationError ? known.issues : [];
  if (options.format === 'json') {
    return jsonResponse(status, {
      error: message,
      // A refused value is shown back truncated: a 9 MB field must not make a 9 MB answer.
      issues: issues.map(({ path, zh, en, value }) => ({
        path: truncated(path),
        zh: truncated(zh, 500),
        en: truncated(en, 500),
        value: shownValue(value),
      })),
    });
  }
  const { lang } = options;
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return htmlResponse(
    status,
    layout({
      lang,
      title: message[lang],
      body: html`<h1>${message[lang]}</h1><p class="muted">${message[other]}</p>${
        issues.length > 0
          ? html`<ul>${issues.map((i) => html`<li><code>${truncated(i.path)}</code>: ${truncated(i[lang], 500)} / ${truncated(i[other], 500)}</li>`)}</ul>`
          : ''
      }`,
    }),
  );
}
