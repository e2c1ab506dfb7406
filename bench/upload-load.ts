// 1,000 concurrent filings through a fresh local system (HTTP server, presigned POST to s3rver,
// the event bridge, upload-received), 50 at a time: latency and throughput.
// Run: npm run bench -- upload-load   (COUNT=1000 CONCURRENCY=50 by default)
import { simulatedClock } from '../functions/shared/domain/calendar/clock.ts';
import { startLocalSystem } from '../infra/local/system.ts';
import { demoCampaign, demoRoster } from '../test/support/fixtures.ts';
import { testClients } from '../test/support/tables.ts';
import {
  fileConcurrently,
  filingSlots,
  percentile,
  storedHashes,
  untilFiled,
} from '../test/support/upload-load.ts';

const COUNT = Number(process.env.COUNT ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const campaign = demoCampaign();
const roster = demoRoster();
const system = await startLocalSystem({
  campaign,
  roster,
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
try {
  const target = { url: system.url, tableName: system.tableName, bucket: system.bucket, links: system.links };
  const slots = filingSlots(
    campaign,
    roster,
    roster.units.map((u) => u.code),
  );
  const started = performance.now();
  const filings = await fileConcurrently(target, slots, COUNT, CONCURRENCY);
  const posted = performance.now() - started;
  const versions = await untilFiled(testClients(), target, slots, COUNT, 600_000);
  const recorded = performance.now() - started;
  const sent = new Set(filings.map((f) => f.sha256));
  const stored = await storedHashes(
    testClients().s3,
    system.bucket,
    versions.map((v) => v.fileKey),
  );
  const own = stored.filter((h) => sent.has(h)).length;
  const latencies = filings.map((f) => f.latencyMs);
  const ms = (n: number) => n.toFixed(0);
  console.log(`${COUNT} filings, ${CONCURRENCY} in flight, over ${slots.length} (unit, deliverable) pairs`);
  console.log(
    '| filings | versions | own bytes | p50 (ms) | p95 (ms) | p99 (ms) | all posted (s) | all recorded (s) | filings/s |',
  );
  console.log(
    '| ------: | -------: | --------: | -------: | -------: | -------: | -------------: | ---------------: | --------: |',
  );
  console.log(
    `| ${COUNT} | ${versions.length} | ${own} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 95))} | ${ms(percentile(latencies, 99))} | ${(posted / 1000).toFixed(1)} | ${(recorded / 1000).toFixed(1)} | ${(COUNT / (recorded / 1000)).toFixed(1)} |`,
  );
} finally {
  await system.stop();
}
