import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { type MailConfig, mailTransport } from '../../schemas/campaign.ts';
import { CampaignSecretSchema, type FunctionEnv } from '../../schemas/env.ts';
import { NodemailerMailer } from './adapters/mail/nodemailer-mailer.ts';
import type { readHazardRows } from './adapters/xlsx/hazard-workbook.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import type { Clock } from './domain/clock.ts';
import type { Logger } from './logger.ts';
import { createStorageAdapters, type StorageAdapters } from './storage-wiring.ts';

export { CampaignMissingError } from './storage-wiring.ts';

/** Everything a handler may need, built once per container (or once per local runtime). */
export interface Adapters extends StorageAdapters {
  /** The secret form-link tokens derive from (see `form-links.ts`); null where none was given. */
  linkKey: string | null;
  readHazardRows: typeof readHazardRows;
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

/**
 * The storage adapters plus what the mail-sending functions need: the campaign secret (link key,
 * SMTP credentials), the mailer and the workbook reader. The local runtime and tests use this.
 */
export async function createAdapters(
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; logger?: Logger; clients?: AwsClients } = {},
): Promise<Adapters> {
  const clients = options.clients ?? createAwsClients();
  const storage = await createStorageAdapters({ ...options, clients });
  const secrets = await readSecrets(storage.env, clients);
  return {
    ...storage,
    linkKey: secrets.linkKey,
    // exceljs loads on first use (only workbook imports need it), not at every cold start.
    readHazardRows: async (input) =>
      (await import('./adapters/xlsx/hazard-workbook.ts')).readHazardRows(input),
    mailer: mailerFor(storage.campaign.mail, storage.env, clients, secrets),
  };
}
