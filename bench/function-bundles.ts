// Each Lambda bundle as `cdk synth` builds it: its size, and its init time (a fresh Node.js
// process importing it, top-level await included: the campaign read from DynamoDB Local).
// Run: npm run bench -- function-bundles
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { simulatedClock } from '../functions/shared/domain/calendar/clock.ts';
import { silentLogger } from '../functions/shared/logger.ts';
import { addCampaign, stackName } from '../infra/cdk/campaign-app.ts';
import { localAwsEnvironment } from '../infra/local/embedded-servers.ts';
import { startLocalSystem } from '../infra/local/system.ts';
import { demoCampaign, demoRoster } from '../test/support/fixtures.ts';

const runs = Number(process.env.RUNS ?? 5);
const outdir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
const app = new App({ outdir });
addCampaign(app, { campaign: demoCampaign(), partition: 'aws' });
const template = app.synth().getStackByName(stackName(demoCampaign())).template as {
  Resources: Record<
    string,
    { Type: string; Properties: { Description?: string; Code?: { S3Key?: string }; Runtime?: string } }
  >;
};
const functions = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs22.x')
  .map((r) => ({
    name: String(r.Properties.Description).replace(/^[^:]+: /, ''),
    bundle: join(outdir, `asset.${String(r.Properties.Code?.S3Key).replace(/\.zip$/, '')}`, 'index.mjs'),
  }));

const system = await startLocalSystem({
  campaign: demoCampaign(),
  roster: demoRoster(),
  dataDir: null,
  clock: simulatedClock(new Date('2018-01-10T00:00:00Z')),
  httpPort: 0,
  logger: silentLogger,
  dailyChecks: false,
});
const env = {
  ...process.env,
  ...localAwsEnvironment(system.endpoints),
  TABLE_NAME: system.tableName,
  BUCKET_NAME: system.bucket,
  LINK_KEY: system.linkKey,
  APP_URL: system.url,
  NODE_OPTIONS: '',
};
const probe = `const t0 = performance.now(); await import(process.argv[1]); console.log(JSON.stringify({ initMs: performance.now() - t0 }));`;
const run = promisify(execFile);

console.log(
  '| function | bundle (KB) | gzipped (KB) | init, median of runs (ms) | init, each run (ms) | process wall, median (ms) |',
);
console.log('|---|---:|---:|---:|---|---:|');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
for (const fn of functions) {
  const bytes = (await stat(fn.bundle)).size;
  const gzipped = gzipSync(await readFile(fn.bundle)).length;
  const inits: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, fn.bundle], { env });
    walls.push(performance.now() - started);
    inits.push((JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { initMs: number }).initMs);
  }
  console.log(
    `| ${fn.name} | ${Math.round(bytes / 1024)} | ${Math.round(gzipped / 1024)} | ${Math.round(median(inits))} | ${inits.map(Math.round).join(', ')} | ${Math.round(median(walls))} |`,
  );
}
await system.stop();
await rm(outdir, { recursive: true, force: true });
