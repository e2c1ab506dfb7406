import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FunctionName } from './function-limits.ts';
import type { Logger } from './logger.ts';
import { METRICS_NAMESPACE, metricDimensions } from './metrics.ts';
import type { InvocationMiddleware, MetricCounter } from './telemetry.ts';

export interface LambdaTelemetry {
  /** The domain's Logger over Powertools Logger (service = the function's name). */
  logger: Logger;
  /** Counts into Powertools Metrics under `METRICS_NAMESPACE`. */
  metrics: MetricCounter;
  /** Powertools' context injection and the per-invocation metrics flush, for the handler's deps. */
  middleware: InvocationMiddleware[];
  /** Sets the dimensions of `metricDimensions`; called once the campaign config is read, before any invocation. */
  forCampaign(campaignId: string): void;
}

/**
 * A Lambda function's logs and metrics, built once per container by its entry (`index.ts`).
 * The event is never logged (`logEvent: false`, whatever `POWERTOOLS_LOGGER_LOG_EVENT` says):
 * an HTTP event's path holds the form-link token.
 */
export function lambdaTelemetry(name: FunctionName): LambdaTelemetry {
  const powertoolsLogger = new PowertoolsLogger({ serviceName: name });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: name });
  const fieldsOf = (fields: Record<string, unknown> | undefined) => fields ?? {};
  // Powertools' `logMetrics` warns on every invocation that counted nothing (a duplicate S3
  // event, a quiet day, every HTTP request); flushing only what was counted keeps warnings meaningful.
  const flushMetrics = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    logger: {
      info: (message, fields) => powertoolsLogger.info(message, fieldsOf(fields)),
      warn: (message, fields) => powertoolsLogger.warn(message, fieldsOf(fields)),
      error: (message, fields) => powertoolsLogger.error(message, fieldsOf(fields)),
    },
    metrics: { count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value) },
    middleware: [
      injectLambdaContext(powertoolsLogger, { logEvent: false }),
      { after: flushMetrics, onError: flushMetrics },
    ],
    forCampaign: (campaignId) => {
      // `service` is Powertools' own dimension (its serviceName, this same name); given again, it warns.
      const { service, ...others } = metricDimensions(campaignId, name);
      metrics.setDefaultDimensions(others);
    },
  };
}
