import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import { type MailConfig, mailTransport } from '../../schemas/campaign.ts';
import {
  type FunctionEnv,
  FunctionEnvSchema,
  LinkKeySecretSchema,
  SmtpSecretSchema,
} from '../../schemas/env.ts';
import { NodemailerMailer } from './adapters/mail/nodemailer-mailer.ts';
import type { readHazardRows } from './adapters/xlsx/hazard-workbook.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import { recordingBounces } from './domain/delivery/mail-bounces.ts';
import type { BounceLog, Mailer } from './ports.ts';
import { createStorageAdapters, type StorageAdapters, type StorageOptions } from './storage-wiring.ts';
import { countingMails } from './telemetry.ts';

export { CampaignMissingError } from './storage-wiring.ts';

/** Everything a handler may need, built once per container (or once per local runtime). */
export interface Adapters extends StorageAdapters {
  /** The secret form-link tokens derive from (see `form-links.ts`); null where none was given. */
  linkKey: string | null;
  readHazardRows: typeof readHazardRows;
  mailer: Mailer;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The secrets a function holds: from Secrets Manager in AWS, from the environment locally. */
export interface FunctionSecrets {
  linkKey: string | null;
  smtp?: { user: string; pass: string };
}

export async function readSecrets(
  env: FunctionEnv,
  clients: Pick<AwsClients, 'secrets'>,
): Promise<FunctionSecrets> {
  const read = async <S extends z.ZodType>(arn: string, schema: S, what: string): Promise<z.output<S>> => {
    const { SecretString } = await clients.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const parsed = schema.safeParse(JSON.parse(SecretString ?? '{}'));
    if (!parsed.success)
      throw new ConfigurationError(`the ${what} secret is malformed: ${parsed.error.message}`);
    return parsed.data;
  };
  const [linkKey, smtp] = await Promise.all([
    env.LINK_KEY_SECRET_ARN
      ? read(env.LINK_KEY_SECRET_ARN, LinkKeySecretSchema, 'link-key').then((s) => s.linkKey)
      : (env.LINK_KEY ?? null),
    env.SMTP_SECRET_ARN
      ? read(env.SMTP_SECRET_ARN, SmtpSecretSchema, 'SMTP').then((s) => ({
          user: s.smtpUser,
          pass: s.smtpPassword,
        }))
      : { user: env.SMTP_USER ?? '', pass: env.SMTP_PASSWORD ?? '' },
  ]);
  return { linkKey, ...(smtp.user && smtp.pass ? { smtp } : {}) };
}

/**
 * The campaign's mail transport: SES v2 (with the configuration set that reports bounces), or
 * SMTP where the config says so or SES is missing (AWS China regions).
 */
export function mailerFor(
  mail: MailConfig,
  env: Pick<FunctionEnv, 'MAIL_TRANSPORT' | 'SES_CONFIGURATION_SET'>,
  clients: Pick<AwsClients, 'ses'>,
  secrets: Pick<FunctionSecrets, 'smtp'> = {},
): NodemailerMailer {
  const transport = mailTransport(mail, env.MAIL_TRANSPORT !== 'smtp');
  if (!transport)
    throw new ConfigurationError(
      'this deployment has no SES, and the campaign config names no mail.smtp relay',
    );
  if (transport.kind === 'ses')
    return NodemailerMailer.ses(
      clients.ses,
      env.SES_CONFIGURATION_SET ? { configurationSet: env.SES_CONFIGURATION_SET } : {},
    );
  return NodemailerMailer.smtp({
    host: transport.host,
    port: transport.port,
    secure: transport.secure,
    ...(secrets.smtp ? { auth: secrets.smtp } : {}),
  });
}

/**
 * SES reports bounces and complaints after the fact (the mail-events function records them);
 * an SMTP server refuses a bad recipient while the mail is sent, so an SMTP mailer records it
 * then. The domain's sending logic sees the same Mailer either way.
 */
function bounceRecording(
  mailer: NodemailerMailer,
  storage: Pick<StorageAdapters, 'campaign' | 'env' | 'clock' | 'logger'> & { bounces: BounceLog },
): Mailer {
  const transport = mailTransport(storage.campaign.mail, storage.env.MAIL_TRANSPORT !== 'smtp');
  return transport?.kind === 'smtp'
    ? recordingBounces(mailer, storage.bounces, storage.clock, storage.logger)
    : mailer;
}

/**
 * The storage adapters plus what the mail-sending functions need: the secrets (link key,
 * SMTP credentials), the mailer (counting what it sends) and the workbook reader.
 */
export async function createAdapters(
  options: StorageOptions & { clients?: AwsClients } = {},
): Promise<Adapters> {
  const clients = options.clients ?? createAwsClients();
  // The config and the secrets are read side by side: both are on the cold-start path.
  const [storage, secrets] = await Promise.all([
    createStorageAdapters({ ...options, clients }),
    readSecrets(FunctionEnvSchema.parse(options.env ?? process.env), clients),
  ]);
  return {
    ...storage,
    linkKey: secrets.linkKey,
    // exceljs loads on first use (only workbook imports need it), not at every cold start.
    readHazardRows: async (input) =>
      (await import('./adapters/xlsx/hazard-workbook.ts')).readHazardRows(input),
    mailer: countingMails(
      bounceRecording(mailerFor(storage.campaign.mail, storage.env, clients, secrets), storage),
      storage.metrics,
    ),
  };
}
