import { z } from 'zod';

/** What every function reads from its environment; the CDK stack and the local runtime set it. */
export const FunctionEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  /**
   * In AWS: the campaign's Secrets Manager secret (`CampaignSecretSchema`), read once at init.
   * Locally its values come straight from `LINK_KEY`, `SMTP_USER` and `SMTP_PASSWORD`.
   */
  CAMPAIGN_SECRET_ARN: z.string().min(1).optional(),
  /** The secret form-link tokens are derived from (see `form-links.ts`); at least 256 bits, base64url. */
  LINK_KEY: z.string().min(43).optional(),
  /** SMTP credentials, for campaigns whose mail transport is smtp. */
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** `smtp` where the deployment has no SES (the China partition); otherwise the config decides. */
  MAIL_TRANSPORT: z.enum(['ses', 'smtp']).optional(),
});
export type FunctionEnv = z.infer<typeof FunctionEnvSchema>;

/**
 * The campaign's secret in Secrets Manager: the link key (generated at deploy) and, for SMTP,
 * the relay's credentials (filled in by the admin; empty strings until then).
 */
export const CampaignSecretSchema = z.object({
  linkKey: z.string().min(43),
  smtpUser: z.string().optional(),
  smtpPassword: z.string().optional(),
});
export type CampaignSecret = z.infer<typeof CampaignSecretSchema>;

/** The daily check also links units to their form pages, so it needs the pages' public base URL. */
export const DailyCheckEnvSchema = FunctionEnvSchema.extend({
  APP_URL: z.url({ protocol: /^https?$/ }),
});
