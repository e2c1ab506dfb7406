/**
 * Structured JSON log lines. Callers pass fields, never raw request paths or tokens: a form
 * link's token must not reach a log, so HTTP logs name the route key, not the path.
 *
 * In Lambda this is backed by Powertools Logger (`powertools.ts`: request id, cold start, level
 * from `POWERTOOLS_LOG_LEVEL`); locally and in tests by `jsonLogger`, whose lines a test can
 * capture. Domain code sees only this interface.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something worth a look that is no failure (e.g. a mail that may have gone out twice). */
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function serialise(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

export function jsonLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const log = (level: string, message: string, fields: Record<string, unknown> = {}) =>
    write(
      JSON.stringify({
        level,
        message,
        ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, serialise(v)])),
      }),
    );
  return {
    info: (message, fields) => log('info', message, fields),
    error: (message, fields) => log('error', message, fields),
    warn: (message, fields) => log('warn', message, fields),
  };
}

/** Logs nothing: command-line tools and benchmarks that report by other means. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
