import { z } from 'zod';

/** What every function reads from its environment; the CDK stack and the local runtime set it. */
export const FunctionEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  /** The secret form-link tokens are derived from (see `form-links.ts`); at least 256 bits, base64url. */
  LINK_KEY: z.string().min(43),
  /** SMTP credentials, for campaigns whose mail transport is smtp (from a secret, never from the config file). */
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
});
export type FunctionEnv = z.infer<typeof FunctionEnvSchema>;

/** The daily check also links units to their form pages, so it needs the pages' public base URL. */
export const DailyCheckEnvSchema = FunctionEnvSchema.extend({
  APP_URL: z.url({ protocol: /^https?$/ }),
});
