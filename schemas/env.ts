import { z } from 'zod';

/** What every function reads from its environment; the CDK stack and the local runtime set it. */
export const FunctionEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
});
export type FunctionEnv = z.infer<typeof FunctionEnvSchema>;
