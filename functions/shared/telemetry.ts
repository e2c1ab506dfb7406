import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { observingSends } from './domain/delivery/observed-sends.ts';
import { METRIC, type MetricName } from './metrics.ts';
import type { Mailer } from './ports.ts';

/**
 * Where a function counts the metrics of `metrics.ts`. In Lambda: Powertools Metrics, written as
 * EMF once per invocation (`powertools.ts`); locally and in tests: nothing (`noMetrics`), or a
 * recorder a test reads. Handlers take it as a dependency; domain code never sees it.
 */
export interface MetricCounter {
  count(name: MetricName, value?: number): void;
}

export const noMetrics: MetricCounter = { count: () => undefined };

/**
 * Middleware that binds the logger and the metrics to one invocation (Lambda: the request id in
 * each log line, the metrics flushed at its end). Handlers take it in their deps; locally and in
 * tests there is none.
 */
export type InvocationMiddleware = MiddlewareObj<unknown, unknown, Error, Context>;

/** What a handler's deps may carry besides the adapters: the Lambda entry's invocation middleware. */
export interface InvocationDeps {
  middleware?: readonly InvocationMiddleware[];
}

/** Metrics are best effort: a counting fault must never turn a sent mail into a failed one (sent again). */
function countQuietly(metrics: MetricCounter, name: MetricName): void {
  try {
    metrics.count(name);
  } catch {
    // The mail's own outcome stands; the metric is lost.
  }
}

/**
 * A Mailer that counts each mail the transport took (`MailsSent`) or failed to take or refused
 * (`MailsFailed`). The send's result or error goes back unchanged, so the sending logic is the
 * same with or without it.
 */
export function countingMails(mailer: Mailer, metrics: MetricCounter): Mailer {
  return observingSends(mailer, {
    sent: () => countQuietly(metrics, METRIC.mailsSent),
    failed: () => countQuietly(metrics, METRIC.mailsFailed),
  });
}
