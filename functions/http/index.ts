// Lambda entry of the HTTP API function: build the dependencies once per container, then route.
// Storage only: this function sends no mail and holds no secret, so neither is bundled.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createStorageAdapters } from '../shared/storage-wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('http');
const adapters = await createStorageAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
