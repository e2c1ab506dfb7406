import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../shared/domain/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { html, type Lang, layout } from '../shared/web/html.ts';
import { SECURITY_HEADERS } from '../shared/web/security-headers.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;

export function htmlResponse(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body };
}

/** Adds the security headers to a response; every response passes through here. */
export function withSecurityHeaders(result: HttpResult): HttpResult {
  return { ...result, headers: { ...result.headers, ...SECURITY_HEADERS } };
}

/**
 * The one place errors become HTTP. A domain error shows its own message (4xx); anything else
 * is logged and the user sees a generic page (5xx), with no detail that could leak internals.
 */
export function errorResponse(error: unknown, lang: Lang, logger: Logger, routeKey: string): HttpResult {
  if (error instanceof DomainError && error.status < 500) {
    const title = lang === 'zh' ? error.zh : error.en;
    const other = lang === 'zh' ? error.en : error.zh;
    return htmlResponse(
      error.status,
      layout({ lang, title, body: html`<h1>${title}</h1><p class="muted">${other}</p>` }),
    );
  }
  logger.error('request failed', { routeKey, error });
  const title = lang === 'zh' ? '系统暂时出错，请稍后再试' : 'Something went wrong; please try again later';
  return htmlResponse(
    500,
    layout({
      lang,
      title,
      body: html`<h1>${title}</h1><p class="muted">${lang === 'zh' ? 'Something went wrong; please try again later' : '系统暂时出错，请稍后再试'}</p>`,
    }),
  );
}
