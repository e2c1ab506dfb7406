import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { type DailyCheckReport, describeRun } from '../../functions/daily-check/daily-check.ts';
import { dailyCheckDeps, makeHandler as makeDailyCheckHandler } from '../../functions/daily-check/handler.ts';
import { makeHandler as makeExportJobsHandler } from '../../functions/export-jobs/handler.ts';
import { makeHandler as makeHttpHandler } from '../../functions/http/handler.ts';
import { makeHandler as makeOutboxSweepHandler } from '../../functions/outbox-sweep/handler.ts';
import type { Clock } from '../../functions/shared/domain/calendar/clock.ts';
import {
  type ReconcileReport,
  reconcileUploads,
  sweptEventTime,
} from '../../functions/shared/domain/filing/reconcile-uploads.ts';
import { jsonLogger, type Logger } from '../../functions/shared/logger.ts';
import { createAdapters } from '../../functions/shared/wiring.ts';
import { makeHandler as makeUploadHandler } from '../../functions/upload-received/handler.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { Roster } from '../../schemas/roster.ts';
import { type LinkBook, type SeedResult, seedCampaign } from '../seed-campaign.ts';
import { ensureLinkKey, writeLinkBook } from './bootstrap.ts';
import { startDailyScheduler } from './daily-scheduler.ts';
import {
  type EmbeddedServers,
  type Endpoints,
  prepareLocalStorage,
  startEmbeddedServers,
} from './embedded-servers.ts';
import { localContext, serverUrl, startHttpBridge } from './http-bridge.ts';
import { startPeriodicRun } from './periodic-run.ts';
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
  /** How long `stop()` lets a running daily check finish before stopping it between two mails (default 20 s). */
  shutdownGraceMs?: number;
  /** An embedded server died and could not be restarted (bilingual message); default: logged. */
  onFatal?: (message: string) => void;
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
  /** Reviewer id → token of their workspace link (`/r/<token>`). */
  reviewerLinks: LinkBook;
  /** Units not on the roster, and whether they were withdrawn (see `SeedResult`). */
  roster: Pick<SeedResult, 'missing' | 'withdrawn' | 'reviewersWithoutBody'>;
  /** Runs the daily check for `scheduledAt` now, as the scheduler would (it throws if a mail failed). */
  dailyCheck(scheduledAt: Date): Promise<DailyCheckReport>;
  /** What the start-up sweep of incoming/ found and fed to the upload handler. */
  swept: ReconcileReport;
  /** Resolves once every S3 event delivered so far was handled. */
  uploadsIdle(): Promise<void>;
  /** DynamoDB Local's process id (the watchdog restarts it if it dies). */
  dynamoPid(): number | undefined;
  /**
   * Stops taking work (scheduler, HTTP, S3 events), lets a running daily check finish, or after
   * the grace period stops it between two mails (it records where it stands and releases its
   * day), waits for the S3 events in hand, and stops DynamoDB Local last.
   */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * The whole system on one machine: embedded servers, the campaign loaded, and the same
 * handlers Lambda runs, behind a local API Gateway and S3 notifications.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const logger = options.logger ?? jsonLogger();
  const servers: EmbeddedServers = await startEmbeddedServers({
    dataDir: options.dataDir,
    ...(options.ports ? { ports: options.ports } : {}),
    onRestart: (message) => logger.warn(message),
    onFatal: options.onFatal ?? ((message) => logger.error(message)),
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
    const { links, reviewerLinks, ...roster } = await seedCampaign({
      clients,
      tableName,
      campaign: options.campaign,
      roster: options.roster,
      linkKey,
      now: options.clock.now(),
      withdrawMissing: options.withdrawMissing ?? false,
    });
    // The link book is for people to open; a temporary system (no data dir) hands out `links` only.
    if (options.dataDir) {
      await writeLinkBook(join(options.dataDir, 'links.json'), links);
      await writeLinkBook(join(options.dataDir, 'reviewer-links.json'), reviewerLinks);
    }

    const adapters = await createAdapters({ clock: options.clock, logger, clients });
    const http: Server = await startHttpBridge(makeHttpHandler(adapters), {
      host: HOST,
      port: options.httpPort,
    });
    let httpClosed: Promise<void> | undefined;
    const closeHttp = () => {
      httpClosed ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      return httpClosed;
    };
    stops.push(closeHttp);
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
    // Hazard notices a request could not send after its commit: at start, then every minute.
    const outboxHandler = makeOutboxSweepHandler(adapters);
    const outbox = startPeriodicRun({
      run: () => outboxHandler({}, localContext('outbox-sweep')),
      everyMs: 60_000,
      onError: (error) => logger.error('outbox sweep failed; the next minute tries again', { error }),
    });
    stops.push(async () => {
      outbox.close();
      await outbox.idle();
    });
    // Supervisors' documents archives asked for in the workspace: at start, then every minute.
    const exportJobsHandler = makeExportJobsHandler(adapters);
    const exportJobs = startPeriodicRun({
      run: () => exportJobsHandler({}, localContext('export-jobs')),
      everyMs: 60_000,
      onError: (error) => logger.error('export jobs failed; the next minute tries again', { error }),
    });
    stops.push(async () => {
      exportJobs.close();
      await exportJobs.idle();
    });

    const url = serverUrl(http);
    process.env.APP_URL = url;
    // Ctrl-C stops a running check between two mails, through this signal, after the grace period.
    const stopChecks = new AbortController();
    const dailyCheckHandler = makeDailyCheckHandler({
      ...dailyCheckDeps(adapters, url),
      signal: stopChecks.signal,
    });
    const checks = new Set<Promise<unknown>>();
    const dailyCheck = (scheduledAt: Date) => {
      const check = dailyCheckHandler(
        { scheduledTime: scheduledAt.toISOString() },
        localContext('daily-check'),
      );
      const tracked = check.catch(() => undefined).finally(() => checks.delete(tracked));
      checks.add(tracked);
      return check;
    };
    let scheduler: ReturnType<typeof startDailyScheduler> | undefined;
    if (options.dailyChecks ?? true) {
      scheduler = startDailyScheduler({
        clock: options.clock,
        timeZone: options.campaign.timeZone,
        time: options.campaign.reminders.dailyCheckTime,
        run: async (at) => {
          const report = await dailyCheck(at);
          logger.info('daily check', { line: describeRun(report) });
          // Held by a run that died (its lease runs out within a minute), or stopped: try again.
          if (report.run === 'held' || (report.run === 'stopped' && !stopChecks.signal.aborted))
            return 'again';
          return undefined;
        },
        onError: (error, at) => logger.error('daily check failed', { scheduledAt: at.toISOString(), error }),
      });
    }
    const draining = scheduler;
    stops.push(async () => {
      // Stop taking work first; then let the check finish, or stop it between two mails.
      draining?.close();
      uploads.close();
      void closeHttp();
      const idle = Promise.all([draining?.idle(), ...checks]);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'grace'>((resolve) => {
        timer = setTimeout(() => resolve('grace'), options.shutdownGraceMs ?? 20_000);
      });
      if ((await Promise.race([idle, grace])) === 'grace') {
        logger.info('stopping the daily check between two mails; the next start goes on');
        stopChecks.abort();
        await idle;
      }
      clearTimeout(timer);
    });
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
      reviewerLinks,
      roster,
      dailyCheck,
      swept,
      uploadsIdle: () => uploads.idle(),
      dynamoPid: () => servers.dynamoPid(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
