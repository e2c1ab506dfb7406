import type { TestProject } from 'vitest/node';
import { simulatedClock } from '../../functions/shared/domain/calendar/clock.ts';
import type { Endpoints } from '../../infra/local/embedded-servers.ts';
import { startLocalSystem } from '../../infra/local/system.ts';
import type { LinkBook } from '../../infra/seed-campaign.ts';
import { demoCampaign, demoRoster } from './fixtures.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
    system: {
      url: string;
      tableName: string;
      bucket: string;
      linkKey: string;
      links: LinkBook;
      reviewerLinks: LinkBook;
    };
  }
}

/**
 * Starts the whole local system once for the run, as `npm start` does but on free ports and
 * with nothing kept: DynamoDB Local, s3rver, aws-ses-v2-local, the demo campaign, and the
 * handlers behind the local API Gateway and S3 notifications. Its clock is the demo's.
 */
export default async function setup(project: TestProject) {
  const system = await startLocalSystem({
    campaign: demoCampaign(),
    roster: demoRoster(),
    dataDir: null,
    clock: simulatedClock(new Date('2018-01-10T00:00:00Z')),
    httpPort: 0,
    dailyChecks: false,
    logger: {
      info: () => undefined,
      warn: () => undefined,
      error: (message, fields) => console.error(message, fields),
    },
  });
  project.provide('endpoints', system.endpoints);
  project.provide('system', {
    url: system.url,
    tableName: system.tableName,
    bucket: system.bucket,
    linkKey: system.linkKey,
    links: system.links,
    reviewerLinks: system.reviewerLinks,
  });
  return () => system.stop();
}
