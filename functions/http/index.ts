// Lambda entry of the HTTP API function: build the dependencies once per container, then route.
// It sends mail (a review decision's notice to the unit; a hazard's receipt and the supervisor's
// notice of a major hazard, right after the change that owes them), so it has the mailer and,
// where mail goes through SMTP, that secret; never the link key, which only the daily check holds.
import { lambdaTelemetry } from '../shared/powertools.ts';
import { createAdapters } from '../shared/wiring.ts';
import { makeHandler } from './handler.ts';

const telemetry = lambdaTelemetry('http');
const adapters = await createAdapters({ logger: telemetry.logger, metrics: telemetry.metrics });
telemetry.forCampaign(adapters.campaign.id);
export const handler = makeHandler({ ...adapters, middleware: telemetry.middleware });
