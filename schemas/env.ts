import { z } from 'zod';

/** What every function reads from its environment; the CDK stack and the local runtime set it. */
export const FunctionEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  /**
   * In AWS the secrets are Secrets Manager secrets, read once at init: the link key
   * (`LinkKeySecretSchema`; only the daily check) and the SMTP credentials (`SmtpSecretSchema`;
   * only functions that send mail through SMTP). Locally their values come straight from
   * `LINK_KEY`, `SMTP_USER` and `SMTP_PASSWORD`.
   */
  LINK_KEY_SECRET_ARN: z.string().min(1).optional(),
  SMTP_SECRET_ARN: z.string().min(1).optional(),
  /** The secret form-link tokens are derived from (see `form-links.ts`); at least 256 bits, base64url. */
  LINK_KEY: z.string().min(43).optional(),
  /** SMTP credentials, for campaigns whose mail transport is smtp. */
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** `smtp` where the deployment has no SES (the China partition); otherwise the config decides. */
  MAIL_TRANSPORT: z.enum(['ses', 'smtp']).optional(),
  /** The SES configuration set every mail is sent with: it publishes bounces and complaints (SES only). */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Powertools' service name, the function's name (`upload-received`): the metrics' `service` dimension. */
  POWERTOOLS_SERVICE_NAME: z.string().min(1).optional(),
  /** Powertools' metrics namespace: `METRICS_NAMESPACE` (functions/shared/metrics.ts). */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).optional(),
});
export type FunctionEnv = z.infer<typeof FunctionEnvSchema>;

/** The link-key secret, generated at deploy. */
export const LinkKeySecretSchema = z.object({ linkKey: z.string().min(43) });

/** The SMTP secret: the relay's credentials, filled in by the admin (empty strings until then). */
export const SmtpSecretSchema = z.object({ smtpUser: z.string(), smtpPassword: z.string() });

/** The daily check also links units to their form pages, so it needs the pages' public base URL. */
export const DailyCheckEnvSchema = FunctionEnvSchema.extend({
  APP_URL: z.url({ protocol: /^https?$/ }),
});
export type DailyCheckEnv = z.infer<typeof DailyCheckEnvSchema>;
