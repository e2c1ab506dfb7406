// Lambda entry of the scheduled daily check.
import { DailyCheckEnvSchema } from '../../schemas/env.ts';
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createAdapters } from '../shared/wiring.ts';
import { dailyCheckDeps, makeHandler } from './handler.ts';

const env = DailyCheckEnvSchema.parse(process.env);
const telemetry = lambdaTelemetry('daily-check');
const adapters = await createAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
// A day held by a run that may have died is retried by Lambda rather than left half-sent.
export const handler = makeHandler(
  { ...dailyCheckDeps(adapters, env.APP_URL), middleware: telemetry.middleware },
  { retryUnfinished: true },
);
