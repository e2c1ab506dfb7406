import type { Campaign } from '../../schemas/campaign.ts';
import { type FunctionEnv, FunctionEnvSchema } from '../../schemas/env.ts';
import { DynamoAuditLog } from './adapters/dynamo/audit-log.ts';
import { DynamoBadTokenCounter } from './adapters/dynamo/bad-token-counter.ts';
import { DynamoBounceLog } from './adapters/dynamo/bounce-log.ts';
import { DynamoCampaignRepository } from './adapters/dynamo/campaign-repository.ts';
import { DynamoDownloadLinks } from './adapters/dynamo/download-links.ts';
import { DynamoExportJobs } from './adapters/dynamo/export-jobs.ts';
import { DynamoHazardImports } from './adapters/dynamo/hazard-imports.ts';
import { DynamoHazardRepository } from './adapters/dynamo/hazards-repository.ts';
import { DynamoLinkRepository } from './adapters/dynamo/links-repository.ts';
import { DynamoMailLog } from './adapters/dynamo/mail-log.ts';
import { DynamoOutbox } from './adapters/dynamo/outbox.ts';
import { DynamoReviewerRepository } from './adapters/dynamo/reviewers-repository.ts';
import { DynamoRollups } from './adapters/dynamo/rollups-repository.ts';
import { DynamoRunLeases } from './adapters/dynamo/run-leases.ts';
import { DynamoSanctionRepository } from './adapters/dynamo/sanctions-repository.ts';
import { DynamoSessionRepository } from './adapters/dynamo/sessions-repository.ts';
import { DynamoStore } from './adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from './adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from './adapters/dynamo/units-repository.ts';
import { DynamoPendingUploads, DynamoUploadLedger } from './adapters/dynamo/upload-ledger.ts';
import { DynamoZeroReports } from './adapters/dynamo/zero-reports.ts';
import { S3DocumentStore } from './adapters/s3/document-store.ts';
import { S3DocumentsArchiveWriter } from './adapters/zip/documents-zip.ts';
import type { Clock } from './domain/calendar/clock.ts';
import { systemClock } from './domain/calendar/clock.ts';
import { BAD_TOKEN_WINDOW_MS } from './domain/links/form-links.ts';
import { jsonLogger, type Logger } from './logger.ts';
import { createStorageClients, type StorageClients } from './storage-clients.ts';
import { type MetricCounter, noMetrics } from './telemetry.ts';

/**
 * The adapters over the campaign's table and bucket: all the HTTP function needs. Functions
 * that send mail add the mailer and secrets on top (`wiring.ts`).
 */
export interface StorageAdapters {
  env: FunctionEnv;
  campaign: Campaign;
  clock: Clock;
  logger: Logger;
  /** Where the function counts its metrics (`metrics.ts`); counts nothing unless given. */
  metrics: MetricCounter;
  units: DynamoUnitRepository;
  rollups: DynamoRollups;
  links: DynamoLinkRepository;
  sessions: DynamoSessionRepository;
  reviewers: DynamoReviewerRepository;
  downloads: DynamoDownloadLinks;
  submissions: DynamoSubmissionRepository;
  hazards: DynamoHazardRepository;
  audit: DynamoAuditLog;
  mailLog: DynamoMailLog;
  outbox: DynamoOutbox;
  bounces: DynamoBounceLog;
  runLeases: DynamoRunLeases;
  pending: DynamoPendingUploads;
  ledger: DynamoUploadLedger;
  badTokens: DynamoBadTokenCounter;
  zeroReports: DynamoZeroReports;
  imports: DynamoHazardImports;
  sanctions: DynamoSanctionRepository;
  documents: S3DocumentStore;
  /** Writes supervisors' document archives (ZIP) under `exports/`. */
  archives: S3DocumentsArchiveWriter;
  /** Supervisors' documents exports as jobs: asked for by the HTTP function, run by export-jobs. */
  exportJobs: DynamoExportJobs;
}

export class CampaignMissingError extends Error {
  constructor(tableName: string) {
    super(`table ${tableName} holds no campaign config; load one first (npm start does, locally)`);
    this.name = 'CampaignMissingError';
  }
}

/** What a caller may give in place of the defaults: the Lambda entry its logger and metrics, the local runtime its clock. */
export interface StorageOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  metrics?: MetricCounter;
}

/**
 * Builds the storage adapters from the environment (`TABLE_NAME`, `BUCKET_NAME`; the SDK reads
 * the rest) and reads the campaign config from its table. The local runtime passes its clock.
 */
export async function createStorageAdapters(
  options: StorageOptions & { clients?: StorageClients } = {},
): Promise<StorageAdapters> {
  const env = FunctionEnvSchema.parse(options.env ?? process.env);
  const clients = options.clients ?? createStorageClients();
  const store = new DynamoStore(clients.doc, env.TABLE_NAME);
  const campaign = await new DynamoCampaignRepository(store).get();
  if (!campaign) throw new CampaignMissingError(env.TABLE_NAME);
  const documents = new S3DocumentStore(clients.s3, env.BUCKET_NAME);
  return {
    env,
    campaign,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? jsonLogger(),
    metrics: options.metrics ?? noMetrics,
    units: new DynamoUnitRepository(store),
    rollups: new DynamoRollups(store),
    links: new DynamoLinkRepository(store),
    sessions: new DynamoSessionRepository(store),
    reviewers: new DynamoReviewerRepository(store),
    downloads: new DynamoDownloadLinks(store),
    submissions: new DynamoSubmissionRepository(store, campaign.timeZone),
    hazards: new DynamoHazardRepository(store),
    audit: new DynamoAuditLog(store, campaign.timeZone),
    mailLog: new DynamoMailLog(store),
    outbox: new DynamoOutbox(store),
    bounces: new DynamoBounceLog(store),
    runLeases: new DynamoRunLeases(store),
    pending: new DynamoPendingUploads(store),
    ledger: new DynamoUploadLedger(store, campaign.timeZone),
    badTokens: new DynamoBadTokenCounter(store, BAD_TOKEN_WINDOW_MS),
    zeroReports: new DynamoZeroReports(store),
    imports: new DynamoHazardImports(store),
    sanctions: new DynamoSanctionRepository(store, campaign.timeZone),
    documents,
    archives: new S3DocumentsArchiveWriter(documents),
    exportJobs: new DynamoExportJobs(store, campaign.timeZone),
  };
}
