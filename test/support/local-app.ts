import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, S3Event } from 'aws-lambda';
import { makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import { matchRoute, type RouteMatch } from '../../functions/http/routes.ts';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import type { Clock } from '../../functions/shared/domain/calendar/clock.ts';
import type { Logger } from '../../functions/shared/logger.ts';
import type { MetricCounter } from '../../functions/shared/telemetry.ts';
import { type Adapters, createAdapters } from '../../functions/shared/wiring.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import { encodeS3Key } from '../../functions/upload-received/s3-event.ts';
import { localContext } from '../../infra/local/http-bridge.ts';
import { type SeedResult, seedCampaign } from '../../infra/seed-campaign.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { demoCampaign, demoRoster } from './fixtures.ts';
import { freshBucket, freshTable, testClients } from './tables.ts';

/** A settable clock for tests that cross deadlines. */
export function manualClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now.getTime()),
    set: (iso) => {
      now = new Date(iso);
    },
  };
}

export const FEW_UNITS = ['LY-000', 'LY-101', 'LY-102', 'WJ-000', 'WJ-101', 'CZ-001', 'CITY-000'];

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  /** `Set-Cookie` values. */
  cookies: string[];
  body: string;
}

/** A browser inside a workspace session: it sends the cookie, and posts forms with the CSRF token its pages carry. */
export interface WorkspaceClient {
  /** The session cookie (`name=value`). */
  cookie: string;
  get(path: string): Promise<HttpAnswer>;
  /** Posts `fields` as a form, with the CSRF token of the last page fetched (unless `fields` has one). */
  post(path: string, fields: Record<string, string>): Promise<HttpAnswer>;
}

export interface TestApp {
  adapters: Adapters;
  /** The app's own campaign table. */
  tableName: string;
  links: Record<string, string>;
  /** Reviewer id → token of their workspace link. */
  reviewerLinks: Record<string, string>;
  logs: string[];
  http(
    method: string,
    path: string,
    init?: { body?: string; headers?: Record<string, string>; sourceIp?: string; cookies?: string[] },
  ): Promise<HttpAnswer>;
  /**
   * Files `bytes` for `unit` the way a browser and S3 do: a signed form, the object, S3's event at
   * the clock's time; fails unless the upload is accepted.
   */
  file(unit: string, deliverableId: string, fileName: string, bytes: Uint8Array): Promise<void>;
  /**
   * Uploads a hazard workbook for `unit` the way a browser and S3 do (the import's signed form,
   * the object, S3's event at the clock's time) and answers the upload handler's outcomes.
   */
  importHazards(
    unit: string,
    bytes: Uint8Array,
    fileName: string,
  ): ReturnType<ReturnType<typeof makeUploadHandler>>;
  /** Enters the workspace through `entry` (`/f/<token>/workspace`, `/r/<token>`), as a browser would. */
  workspace(entry: string): Promise<WorkspaceClient>;
  /** Loads the demo roster cut to `units` again, as `campaign load` does after the admin edits it. */
  loadRoster(units: readonly string[], options?: { withdrawMissing?: boolean }): Promise<SeedResult>;
  /** Delivers an S3 object-created notification for `key` to the upload handler, as S3 would. */
  s3Created(key: string, etag: string, eventTime: Date): ReturnType<ReturnType<typeof makeUploadHandler>>;
  cleanup(): Promise<void>;
}

/**
 * The same handlers Lambda runs, wired to real adapters on the embedded servers, but with their
 * own table and bucket (which the running local system does not watch) and a clock the test sets.
 */
export async function testApp(options: {
  clock: Clock;
  campaign?: Campaign;
  units?: string[];
  /** The SDK clients the handlers use; a test passes its own to inject faults with a middleware. */
  clients?: AwsClients;
  /** Where the handlers count their metrics; by default nowhere. */
  metrics?: MetricCounter;
}): Promise<TestApp> {
  const campaign = options.campaign ?? demoCampaign();
  const roster = demoRoster();
  const wanted = options.units ?? FEW_UNITS;
  const store = await freshTable();
  const bucket = await freshBucket();
  const loadRoster = (units: readonly string[], more: { withdrawMissing?: boolean } = {}) =>
    seedCampaign({
      clients: testClients(),
      tableName: store.tableName,
      campaign,
      roster: { ...roster, units: roster.units.filter((u) => units.includes(u.code)) },
      linkKey: process.env.LINK_KEY ?? '',
      now: options.clock.now(),
      ...more,
    });
  const { links, reviewerLinks } = await loadRoster(wanted);
  const logs: string[] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push(JSON.stringify({ message, ...fields })),
    warn: (message, fields) => logs.push(JSON.stringify({ message, ...fields })),
    error: (message, fields) =>
      logs.push(JSON.stringify({ message, ...fields, error: String(fields?.error) })),
  };
  const adapters = await createAdapters({
    env: { ...process.env, TABLE_NAME: store.tableName, BUCKET_NAME: bucket },
    clock: options.clock,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    clients: options.clients ?? testClients(),
  });
  const http = makeHttpHandler(adapters);
  const upload = makeUploadHandler(adapters);
  const app: TestApp = {
    adapters,
    tableName: store.tableName,
    links,
    reviewerLinks,
    logs,
    loadRoster,
    async http(method, path, init = {}) {
      const url = new URL(path, 'http://app.test');
      const route: RouteMatch | null = matchRoute(method, url.pathname);
      if (!route) throw new Error(`no route for ${method} ${url.pathname}`);
      const event = {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers: { host: 'app.test', 'x-forwarded-proto': 'http', ...init.headers },
        ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
        pathParameters: route.pathParameters,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.cookies ? { cookies: init.cookies } : {}),
        isBase64Encoded: false,
        requestContext: {
          http: { method, path: url.pathname, sourceIp: init.sourceIp ?? '192.0.2.1' },
          domainName: 'app.test',
        },
      } as unknown as APIGatewayProxyEventV2;
      const result = await http(event, localContext('http'));
      return {
        statusCode: result.statusCode ?? 200,
        headers: Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
        ),
        cookies: result.cookies ?? [],
        body: result.body ?? '',
      };
    },
    async file(unit, deliverableId, fileName, bytes) {
      const signed = await app.http('POST', `/f/${links[unit]}/uploads`, {
        body: JSON.stringify({ deliverableId, fileName, size: bytes.length }),
        headers: { 'content-type': 'application/json' },
      });
      if (signed.statusCode !== 200)
        throw new Error(`upload form for ${unit}: ${signed.statusCode} ${signed.body}`);
      const { key } = JSON.parse(signed.body) as { key: string };
      const put = await testClients().s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }),
      );
      const outcome = await app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), options.clock.now());
      if (outcome[0]?.outcome !== 'accepted')
        throw new Error(`upload for ${unit} not accepted: ${JSON.stringify(outcome)}`);
    },
    async importHazards(unit, bytes, fileName) {
      const asked = await app.http('POST', `/f/${links[unit]}/imports`, {
        body: JSON.stringify({ fileName, size: bytes.length }),
      });
      if (asked.statusCode !== 200)
        throw new Error(`import form for ${unit}: ${asked.statusCode} ${asked.body}`);
      const { key } = JSON.parse(asked.body) as { key: string };
      const put = await testClients().s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }),
      );
      return app.s3Created(key, (put.ETag ?? '').replaceAll('"', ''), options.clock.now());
    },
    async workspace(entry) {
      const entered = await app.http('GET', entry);
      const cookie = entered.cookies[0]?.split(';')[0];
      if (entered.statusCode !== 200 || !cookie)
        throw new Error(`${entry} opened no session: ${entered.statusCode}`);
      let csrf = '';
      const remember = (answer: HttpAnswer) => {
        const found = /name="csrf" value="([^"]+)"/.exec(answer.body);
        if (found?.[1]) csrf = found[1];
        return answer;
      };
      return {
        cookie,
        get: async (path) => remember(await app.http('GET', path, { cookies: [cookie] })),
        post: async (path, fields) =>
          remember(
            await app.http('POST', path, {
              cookies: [cookie],
              body: new URLSearchParams({ csrf, ...fields }).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            }),
          ),
      };
    },
    s3Created(key, etag, eventTime) {
      const event = {
        Records: [
          {
            eventName: 'ObjectCreated:Post',
            eventTime: eventTime.toISOString(),
            s3: { bucket: { name: bucket }, object: { key: encodeS3Key(key), size: 0, eTag: etag } },
          },
        ],
      } as unknown as S3Event;
      return upload(event, localContext('upload-received'));
    },
    cleanup: async () => undefined,
  };
  return app;
}
