/**
 * The reason a supervisor gives for a decision (a send-back, a summons or circular): what every
 * such form accepts, in one place, so the school's page, the mails and the spreadsheets show the
 * text as it was stored.
 */
export const REASON_MAX_CHARS = 500;

/**
 * Control characters a reason may not hold: C0 (but tab and line breaks, as a textarea sends
 * them), DEL, C1, and the bidirectional overrides and isolates that make text read otherwise than
 * it is stored.
 */
export const REASON_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/** The reason as stored: line breaks as LF, trimmed. */
export function normalReason(reason: string): string {
  return reason.replace(/\r\n?/g, '\n').trim();
}
