// Lambda entry of the S3 object-created function.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('upload-received');
const adapters = await createAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
