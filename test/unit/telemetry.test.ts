import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpDeps, makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import {
  METRIC,
  METRICS_NAMESPACE,
  type MetricName,
  metricDimensions,
} from '../../functions/shared/metrics.ts';
import type { Mailer } from '../../functions/shared/ports.ts';
import { lambdaTelemetry } from '../../functions/shared/powertools.ts';
import { countingMails, type InvocationMiddleware } from '../../functions/shared/telemetry.ts';

const context = {
  functionName: 'campaign-2018-upload-received',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:cn-north-1:123456789012:function:campaign-2018-upload-received',
  memoryLimitInMB: '512',
  awsRequestId: 'req-0001',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

/** What Powertools writes during `run` (stdout and stderr: in Lambda both reach the function's log). */
async function stdoutOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const invoke = (middleware: InvocationMiddleware[], work: () => void, event: unknown = {}) =>
  middy<unknown, unknown, Error, Context>()
    .use(middleware)
    .handler(async () => work())(event, context);

describe('Lambda telemetry (Powertools)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('publishes counted metrics once per invocation as EMF, under the contract’s namespace and dimensions', async () => {
    const telemetry = lambdaTelemetry('upload-received');
    telemetry.forCampaign('changzhou-2018');
    const out = await stdoutOf(() =>
      invoke(telemetry.middleware, () => {
        telemetry.metrics.count(METRIC.filings);
        telemetry.metrics.count(METRIC.mailsSent);
      }),
    );
    const emf = out.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    const [record] = emf as {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: MetricName }[] }[];
      };
    }[];
    const directive = record?._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
    const dimensions = metricDimensions('changzhou-2018', 'upload-received');
    expect([...(directive?.Dimensions[0] ?? [])].sort()).toEqual(Object.keys(dimensions).sort());
    expect(directive?.Metrics.map((m) => m.Name).sort()).toEqual([METRIC.filings, METRIC.mailsSent].sort());
    expect(record).toMatchObject({ ...dimensions, [METRIC.filings]: 1, [METRIC.mailsSent]: 1 });

    // An invocation that counted nothing writes nothing (no EMF, no "no metrics" warning).
    expect(await stdoutOf(() => invoke(telemetry.middleware, () => undefined))).toEqual([]);
  });

  it('logs with the request id, cold start and level (warn included), never the event', async () => {
    // Even where the environment asks for the event: an HTTP event's path holds the form-link token.
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    const telemetry = lambdaTelemetry('http');
    const token = 'A'.repeat(43);
    const out = await stdoutOf(() =>
      invoke(
        telemetry.middleware,
        () => {
          telemetry.logger.info('request served', { routeKey: 'GET /f/{token}' });
          telemetry.logger.warn('worth a look', { day: '2018-01-12' });
          telemetry.logger.error('request failed', { error: new Error('boom') });
        },
        { rawPath: `/f/${token}` },
      ),
    );
    expect(out.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'request served'],
      ['WARN', 'worth a look'],
      ['ERROR', 'request failed'],
    ]);
    for (const line of out)
      expect(line).toMatchObject({
        service: 'http',
        function_request_id: 'req-0001',
        cold_start: expect.any(Boolean),
      });
    expect(out[2]?.error).toMatchObject({ name: 'Error', message: 'boom' });
    expect(JSON.stringify(out)).not.toContain(token);
  });
  it('HTTP in Lambda: an error of ours is answered (500, security headers) and logged once, with the route key and request id, never the token', async () => {
    const telemetry = lambdaTelemetry('http');
    const token = 'B'.repeat(43);
    const deps = {
      logger: telemetry.logger,
      middleware: telemetry.middleware,
      campaign: { id: '2018-changzhou' },
      links: {
        find: async () => {
          throw new Error(`lookup of /f/${token} timed out`);
        },
      },
    } as unknown as HttpDeps;
    const event = {
      routeKey: 'GET /f/{token}',
      rawPath: `/f/${token}`,
      pathParameters: { token },
      headers: {},
      requestContext: { http: { method: 'GET', path: `/f/${token}`, sourceIp: '192.0.2.1' } },
    } as unknown as APIGatewayProxyEventV2;
    let result: Awaited<ReturnType<ReturnType<typeof makeHttpHandler>>> | undefined;
    const out = await stdoutOf(async () => {
      result = await makeHttpHandler(deps)(event, context);
    });
    expect(result?.statusCode).toBe(500);
    expect(
      result?.headers?.['X-Content-Type-Options'] ?? result?.headers?.['x-content-type-options'],
    ).toBeDefined();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      level: 'ERROR',
      message: 'request failed',
      routeKey: 'GET /f/{token}',
      function_request_id: 'req-0001',
    });
    expect(JSON.stringify(out)).not.toContain(token);
  });
});

describe('countingMails', () => {
  it('counts a mail the transport took and one it failed, and changes neither outcome', async () => {
    const counted: string[] = [];
    const metrics = { count: (name: MetricName) => counted.push(name) };
    let fail = false;
    const transport: Mailer = {
      send: async () => {
        if (fail) throw new Error('Throttling');
        return { messageId: '<1@test>' };
      },
    };
    const mailer = countingMails(transport, metrics);
    const mail = { from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't' };
    await expect(mailer.send(mail)).resolves.toEqual({ messageId: '<1@test>' });
    fail = true;
    await expect(mailer.send(mail)).rejects.toThrow('Throttling');
    expect(counted).toEqual([METRIC.mailsSent, METRIC.mailsFailed]);
  });

  it('keeps a sent mail sent, and a failure its own error, when counting fails', async () => {
    const metrics = {
      count: () => {
        throw new Error('metrics store full');
      },
    };
    let fail = false;
    const transport: Mailer = {
      send: async () => {
        if (fail) throw new Error('Throttling');
        return { messageId: '<2@test>' };
      },
    };
    const mailer = countingMails(transport, metrics);
    const mail = { from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't' };
    await expect(mailer.send(mail)).resolves.toEqual({ messageId: '<2@test>' });
    fail = true;
    await expect(mailer.send(mail)).rejects.toThrow('Throttling');
  });
});
