// Lambda entry of the outbox sweep (hazard notices still owed), scheduled every minute.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('outbox-sweep');
const adapters = await createAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
