import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dailyCheckDeps, makeHandler as makeDailyCheckHandler } from '../../functions/daily-check/handler.ts';
import { makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import type { Clock } from '../../functions/shared/domain/clock.ts';
import type { DailyCheckReport } from '../../functions/shared/domain/daily-check.ts';
import {
  type ReconcileReport,
  reconcileUploads,
  sweptEventTime,
} from '../../functions/shared/domain/reconcile-uploads.ts';
import { jsonLogger, type Logger } from '../../functions/shared/logger.ts';
import { createAdapters } from '../../functions/shared/wiring.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { Roster } from '../../schemas/roster.ts';
import { ensureLinkKey, type LinkBook, type SeedResult, seedCampaign } from './bootstrap.ts';
import { startDailyScheduler } from './daily-scheduler.ts';
import {
  type EmbeddedServers,
  type Endpoints,
  prepareLocalStorage,
  startEmbeddedServers,
} from './embedded-servers.ts';
import { localContext, serverUrl, startHttpBridge } from './http-bridge.ts';
import { bridgeS3Events, sweptNotification } from './s3-event-bridge.ts';

export interface LocalSystemOptions {
  campaign: Campaign;
  roster: Roster;
  /** Persistent data (DynamoDB, S3, link book); null keeps everything temporary. */
  dataDir: string | null;
  clock: Clock;
  httpPort: number;
  ports?: Partial<Record<keyof Endpoints, number>>;
  logger?: Logger;
  /** Run the daily check whenever the campaign clock passes its time (default true). */
  dailyChecks?: boolean;
  /** Withdraw the units kept data holds that the roster no longer lists (see `seedCampaign`). */
  withdrawMissing?: boolean;
}

/** What `npx campaign check` needs to reach a running local system; written to `<data>/runtime.json`. */
export interface LocalRuntimeInfo {
  url: string;
  endpoints: Endpoints;
  tableName: string;
  bucket: string;
}

export interface LocalSystem {
  url: string;
  mailViewerUrl: string;
  endpoints: Endpoints;
  tableName: string;
  bucket: string;
  linkKey: string;
  links: LinkBook;
  /** Units not on the roster, and whether they were withdrawn (see `SeedResult`). */
  roster: Pick<SeedResult, 'missing' | 'withdrawn'>;
  /** Runs the daily check for `scheduledAt` now, as the scheduler would (it throws if a mail failed). */
  dailyCheck(scheduledAt: Date): Promise<DailyCheckReport>;
  /** What the start-up sweep of incoming/ found and fed to the upload handler. */
  swept: ReconcileReport;
  /** Resolves once every S3 event delivered so far was handled. */
  uploadsIdle(): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * The whole system on one machine: embedded servers, the campaign loaded, and the same
 * handlers Lambda runs, behind a local API Gateway and S3 notifications.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const servers: EmbeddedServers = await startEmbeddedServers({
    dataDir: options.dataDir,
    ...(options.ports ? { ports: options.ports } : {}),
  });
  const stops: (() => Promise<void> | void)[] = [() => servers.stop()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    // The handlers' SDK clients find the servers the way they do everywhere: through the environment.
    const linkKey = options.dataDir
      ? await ensureLinkKey(join(options.dataDir, 'link-key'))
      : randomBytes(32).toString('base64url');
    const { tableName, bucket, clients } = await prepareLocalStorage(
      options.campaign,
      servers.endpoints,
      linkKey,
    );
    const linkDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'campaign-links-')));
    if (options.dataDir === null) stops.push(() => rm(linkDir, { recursive: true, force: true }));
    const linkBookPath = join(linkDir, 'links.json');
    const { links, ...roster } = await seedCampaign({
      clients,
      tableName,
      campaign: options.campaign,
      roster: options.roster,
      linkBookPath,
      linkKey,
      now: options.clock.now(),
      withdrawMissing: options.withdrawMissing ?? false,
    });

    const logger = options.logger ?? jsonLogger();
    const adapters = await createAdapters({ clock: options.clock, logger, clients });
    const http: Server = await startHttpBridge(makeHttpHandler(adapters), {
      host: HOST,
      port: options.httpPort,
    });
    stops.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const uploadHandler = makeUploadHandler(adapters);
    const uploads = bridgeS3Events(servers.s3rver, bucket, uploadHandler, options.clock, (error, attempts) =>
      logger.error('upload-received failed; the next start or campaign reconcile feeds it again', {
        error,
        attempts,
      }),
    );
    stops.push(async () => {
      uploads.close();
      await uploads.idle();
    });
    // Objects whose event was lost (the system stopped or failed mid-upload) have no receipt:
    // the sweep feeds each through the same handler before the system is handed out.
    const swept = await reconcileUploads(
      { documents: adapters.documents, ledger: adapters.ledger, bucket },
      (object) =>
        uploadHandler(
          sweptNotification(bucket, object, sweptEventTime(object, options.clock.now())),
          localContext('upload-received'),
        ),
    );
    if (swept.fed.length > 0) logger.info('upload sweep', { listed: swept.listed, fed: swept.fed });

    const url = serverUrl(http);
    process.env.APP_URL = url;
    const dailyCheckHandler = makeDailyCheckHandler(dailyCheckDeps(adapters, url));
    const dailyCheck = (scheduledAt: Date) =>
      dailyCheckHandler({ scheduledTime: scheduledAt.toISOString() }, localContext('daily-check'));
    if (options.dailyChecks ?? true) {
      const scheduler = startDailyScheduler({
        clock: options.clock,
        timeZone: options.campaign.timeZone,
        time: options.campaign.reminders.dailyCheckTime,
        run: async (at) => {
          const report = await dailyCheck(at);
          const sent = report.mails.filter((m) => m.outcome === 'sent').length;
          logger.info('daily check', { day: report.day, sent, mails: report.mails.length });
        },
        onError: (error, at) => logger.error('daily check failed', { scheduledAt: at.toISOString(), error }),
      });
      stops.push(() => scheduler.stop());
    }
    if (options.dataDir) {
      const info: LocalRuntimeInfo = { url, endpoints: servers.endpoints, tableName, bucket };
      await writeFile(join(options.dataDir, 'runtime.json'), `${JSON.stringify(info, null, 2)}\n`);
    }

    return {
      url,
      mailViewerUrl: servers.endpoints.sesv2,
      endpoints: servers.endpoints,
      tableName,
      bucket,
      linkKey,
      links,
      roster,
      dailyCheck,
      swept,
      uploadsIdle: () => uploads.idle(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
