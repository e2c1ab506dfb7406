/**
 * Each function's timeout, in seconds: the CDK stack sets these, and the local runtime gives its
 * calls the same deadline (middy aborts a handler that runs past it, as Lambda would end it).
 * The HTTP API waits at most 30 s for an integration; an import of thousands of rows needs minutes.
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  http: 29,
  'upload-received': 300,
  /** Reads the whole campaign and sends a city's mail; Lambda's maximum is 900. */
  'daily-check': 600,
  /** Records the addresses of one SES bounce or complaint notification: a few writes. */
  'mail-events': 30,
  /** Sends the hazard notices still owed; runs every minute. */
  'outbox-sweep': 60,
  /** Writes supervisors' documents archives (a province's, every version: minutes); Lambda's maximum. */
  'export-jobs': 900,
} as const;

export type FunctionName = keyof typeof FUNCTION_TIMEOUT_SECONDS;
