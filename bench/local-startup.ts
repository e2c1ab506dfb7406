// Measures how long the local system takes to be ready (the "within 60 s" of npm start), cold
// and warm, and its memory. Run: npm run bench -- local-startup
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatedClock } from '../functions/shared/domain/calendar/clock.ts';
import { silentLogger } from '../functions/shared/logger.ts';
import { startLocalSystem } from '../infra/local/system.ts';
import { demoCampaign, demoRoster } from '../test/support/fixtures.ts';

const runs = Number(process.env.RUNS ?? 3);
const dataDir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
const timings: { kind: string; ms: number; firstPageMs: number }[] = [];

for (let i = 0; i < runs; i += 1) {
  const started = performance.now();
  const system = await startLocalSystem({
    campaign: demoCampaign(),
    roster: demoRoster(),
    dataDir,
    clock: simulatedClock(new Date('2018-01-10T00:00:00Z')),
    httpPort: 0,
    logger: silentLogger,
  });
  const ready = performance.now();
  const response = await fetch(`${system.url}/f/${system.links['LY-101']}`);
  if (response.status !== 200) throw new Error(`form page answered ${response.status}`);
  const firstPage = performance.now();
  timings.push({
    kind: i === 0 ? 'cold (empty data dir)' : 'warm (data kept)',
    ms: ready - started,
    firstPageMs: firstPage - ready,
  });
  await system.stop();
}
await rm(dataDir, { recursive: true, force: true });

const rss = process.memoryUsage().rss / 1024 / 1024;
console.log('| run | ready (ms) | first form page (ms) |');
console.log('|---|---:|---:|');
for (const t of timings) console.log(`| ${t.kind} | ${t.ms.toFixed(0)} | ${t.firstPageMs.toFixed(0)} |`);
console.log(
  `\nNode process RSS after ${runs} runs: ${rss.toFixed(0)} MiB (DynamoDB Local's JVM not included)`,
);
