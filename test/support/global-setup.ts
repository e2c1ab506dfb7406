import type { TestProject } from 'vitest/node';
import { type Endpoints, startEmbeddedServers } from '../../infra/local/embedded-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

/** Starts DynamoDB Local, s3rver and aws-ses-v2-local once for the whole run, on free ports. */
export default async function setup(project: TestProject) {
  const servers = await startEmbeddedServers({ dataDir: null });
  project.provide('endpoints', servers.endpoints);
  return () => servers.stop();
}
