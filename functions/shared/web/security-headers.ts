/**
 * Headers on every response (OWASP HTTP Headers cheat sheet): pages carry a per-unit token in
 * their URL, so they must not leak it through Referer, caches or search engines. Forms may post
 * (and scripts connect) only to this site and to the upload origins named (the S3 bucket of
 * presigned POSTs).
 */
export function contentSecurityPolicy(formActionOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // The upload script posts the file itself (fetch), so it can show storage's refusals.
    `connect-src ${["'self'", ...formActionOrigins].join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    `form-action ${["'self'", ...formActionOrigins].join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy(),
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Frame-Options': 'DENY',
};
