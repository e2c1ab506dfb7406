// Lambda entry of the scheduled daily check.
import { DailyCheckEnvSchema } from '../../schemas/env.ts';
import { createAdapters } from '../shared/wiring.ts';
import { dailyCheckDeps, makeHandler } from './handler.ts';

const env = DailyCheckEnvSchema.parse(process.env);
// A day held by a run that may have died is retried by Lambda rather than left half-sent.
export const handler = makeHandler(dailyCheckDeps(await createAdapters(), env.APP_URL), {
  retryUnfinished: true,
});
