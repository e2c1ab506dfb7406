// Lambda entry of the export jobs (supervisors' documents archives), scheduled every minute.
// Storage only: it reads the table and the filed documents and writes under exports/; no mail.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createStorageAdapters } from '../shared/storage-wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('export-jobs');
const adapters = await createStorageAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
