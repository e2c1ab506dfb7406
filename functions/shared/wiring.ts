import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type Campaign, type MailConfig, mailTransport } from '../../schemas/campaign.ts';
import { CampaignSecretSchema, type FunctionEnv, FunctionEnvSchema } from '../../schemas/env.ts';
import { DynamoAuditLog } from './adapters/dynamo/audit-log.ts';
import { DynamoBadTokenCounter } from './adapters/dynamo/bad-token-counter.ts';
import { DynamoCampaignRepository } from './adapters/dynamo/campaign-repository.ts';
import { DynamoHazardImports } from './adapters/dynamo/hazard-imports.ts';
import { DynamoHazardRepository } from './adapters/dynamo/hazards-repository.ts';
import { DynamoLinkRepository } from './adapters/dynamo/links-repository.ts';
import { DynamoMailLog } from './adapters/dynamo/mail-log.ts';
import { DynamoStore } from './adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from './adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from './adapters/dynamo/units-repository.ts';
import { DynamoPendingUploads, DynamoUploadLedger } from './adapters/dynamo/upload-ledger.ts';
import { DynamoZeroReports } from './adapters/dynamo/zero-reports.ts';
import { NodemailerMailer } from './adapters/mail/nodemailer-mailer.ts';
import { S3DocumentStore } from './adapters/s3/document-store.ts';
import { readHazardRows } from './adapters/xlsx/hazard-workbook.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import type { Clock } from './domain/clock.ts';
import { systemClock } from './domain/clock.ts';
import { BAD_TOKEN_WINDOW_MS } from './domain/form-links.ts';
import { jsonLogger, type Logger } from './logger.ts';

/** Everything a handler may need, built once per container (or once per local runtime). */
export interface Adapters {
  campaign: Campaign;
  /** The secret form-link tokens derive from (see `form-links.ts`); null where none was given. */
  linkKey: string | null;
  clock: Clock;
  logger: Logger;
  units: DynamoUnitRepository;
  links: DynamoLinkRepository;
  submissions: DynamoSubmissionRepository;
  hazards: DynamoHazardRepository;
  audit: DynamoAuditLog;
  mailLog: DynamoMailLog;
  pending: DynamoPendingUploads;
  ledger: DynamoUploadLedger;
  badTokens: DynamoBadTokenCounter;
  zeroReports: DynamoZeroReports;
  imports: DynamoHazardImports;
  readHazardRows: typeof readHazardRows;
  documents: S3DocumentStore;
  mailer: NodemailerMailer;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The secrets a function holds: from the campaign secret in AWS, from the environment locally. */
export interface FunctionSecrets {
  linkKey: string | null;
  smtp?: { user: string; pass: string };
}

export async function readSecrets(
  env: FunctionEnv,
  clients: Pick<AwsClients, 'secrets'>,
): Promise<FunctionSecrets> {
  if (!env.CAMPAIGN_SECRET_ARN) {
    return {
      linkKey: env.LINK_KEY ?? null,
      ...(env.SMTP_USER && env.SMTP_PASSWORD
        ? { smtp: { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } }
        : {}),
    };
  }
  const { SecretString } = await clients.secrets.send(
    new GetSecretValueCommand({ SecretId: env.CAMPAIGN_SECRET_ARN }),
  );
  const secret = CampaignSecretSchema.safeParse(JSON.parse(SecretString ?? '{}'));
  if (!secret.success)
    throw new ConfigurationError(
      `the campaign secret is not {linkKey, smtpUser?, smtpPassword?}: ${secret.error.message}`,
    );
  const { linkKey, smtpUser, smtpPassword } = secret.data;
  return { linkKey, ...(smtpUser && smtpPassword ? { smtp: { user: smtpUser, pass: smtpPassword } } : {}) };
}

/** The campaign's mail transport: SES v2, or SMTP where the config says so or SES is missing (AWS China regions). */
export function mailerFor(
  mail: MailConfig,
  env: Pick<FunctionEnv, 'MAIL_TRANSPORT'>,
  clients: Pick<AwsClients, 'ses'>,
  secrets: Pick<FunctionSecrets, 'smtp'> = {},
): NodemailerMailer {
  const transport = mailTransport(mail, env.MAIL_TRANSPORT !== 'smtp');
  if (!transport)
    throw new ConfigurationError(
      'this deployment has no SES, and the campaign config names no mail.smtp relay',
    );
  if (transport.kind === 'ses') return NodemailerMailer.ses(clients.ses);
  return NodemailerMailer.smtp({
    host: transport.host,
    port: transport.port,
    secure: transport.secure,
    ...(secrets.smtp ? { auth: secrets.smtp } : {}),
  });
}

export class CampaignMissingError extends Error {
  constructor(tableName: string) {
    super(`table ${tableName} holds no campaign config; load one first (npm start does, locally)`);
    this.name = 'CampaignMissingError';
  }
}

/**
 * Builds the adapters from the environment (`TABLE_NAME`, `BUCKET_NAME`; the SDK reads the rest)
 * and reads the campaign config from its table. The local runtime passes its simulated clock.
 */
export async function createAdapters(
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; logger?: Logger; clients?: AwsClients } = {},
): Promise<Adapters> {
  const env = FunctionEnvSchema.parse(options.env ?? process.env);
  const clients = options.clients ?? createAwsClients();
  const store = new DynamoStore(clients.doc, env.TABLE_NAME);
  const [campaign, secrets] = await Promise.all([
    new DynamoCampaignRepository(store).get(),
    readSecrets(env, clients),
  ]);
  if (!campaign) throw new CampaignMissingError(env.TABLE_NAME);
  return {
    campaign,
    linkKey: secrets.linkKey,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? jsonLogger(),
    units: new DynamoUnitRepository(store),
    links: new DynamoLinkRepository(store),
    submissions: new DynamoSubmissionRepository(store),
    hazards: new DynamoHazardRepository(store),
    audit: new DynamoAuditLog(store, campaign.timeZone),
    mailLog: new DynamoMailLog(store),
    pending: new DynamoPendingUploads(store),
    ledger: new DynamoUploadLedger(store, campaign.timeZone),
    badTokens: new DynamoBadTokenCounter(store, BAD_TOKEN_WINDOW_MS),
    zeroReports: new DynamoZeroReports(store),
    imports: new DynamoHazardImports(store),
    readHazardRows,
    documents: new S3DocumentStore(clients.s3, env.BUCKET_NAME),
    mailer: mailerFor(campaign.mail, env, clients, secrets),
  };
}
