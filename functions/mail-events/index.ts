// Lambda entry of the SES bounce and complaint subscriber. Storage only: it sends no mail.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createStorageAdapters } from '../shared/storage-wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('mail-events');
const adapters = await createStorageAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
