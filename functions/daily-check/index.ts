// Lambda entry of the scheduled daily check.
import { DailyCheckEnvSchema } from '../../schemas/env.ts';
import { createAdapters } from '../shared/wiring.ts';
import { dailyCheckDeps, makeHandler } from './handler.ts';

const env = DailyCheckEnvSchema.parse(process.env);
export const handler = makeHandler(dailyCheckDeps(await createAdapters(), env.APP_URL));
