import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DailyCheckDeps, runDailyCheck } from '../functions/daily-check/daily-check.ts';
import { dailyCheckDeps } from '../functions/daily-check/handler.ts';
import { DynamoCampaignRepository } from '../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoHazardRepository } from '../functions/shared/adapters/dynamo/hazards-repository.ts';
import { DynamoStore } from '../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from '../functions/shared/adapters/dynamo/units-repository.ts';
import { DynamoZeroReports } from '../functions/shared/adapters/dynamo/zero-reports.ts';
import { digestWorkbookFile } from '../functions/shared/adapters/xlsx/digest-workbook.ts';
import { fixedClock } from '../functions/shared/domain/calendar/clock.ts';
import type { Digest, LedgerRow } from '../functions/shared/domain/report/model.ts';
import type { Logger } from '../functions/shared/logger.ts';
import { createAdapters } from '../functions/shared/wiring.ts';
import { prepareLocalStorage, startEmbeddedServers } from '../infra/local/embedded-servers.ts';
import type { Campaign } from '../schemas/campaign.ts';
import {
  HazardRecordSchema,
  SubmissionPointerSchema,
  UnitRecordSchema,
  ZeroReportSchema,
} from '../schemas/records.ts';
import { demoCampaign } from '../test/support/fixtures.ts';
import { collectGarbage, generate, startProfiler } from './support/generated-campaign.ts';
import { batchWrite, tableItems } from './support/table-items.ts';

const UNITS = Number(process.env.UNITS ?? 1000);
const HAZARDS = Number(process.env.HAZARDS ?? 20_000);
const AT = new Date(process.env.AT ?? '2018-03-20T08:00:00+08:00');
const TARGET_MS = 10_000;

const mib = (bytes: number) => bytes / 1024 / 1024;
const servers = await startEmbeddedServers({ dataDir: null });
try {
  const campaign = demoCampaign();
  const linkKey = 'bench-link-key-0123456789abcdefghijklmnopqrstuvwxyz';
  const { tableName, clients } = await prepareLocalStorage(campaign, servers.endpoints, linkKey);
  const store = new DynamoStore(clients.doc, tableName);
  await new DynamoCampaignRepository(store).save(campaign);

  // Seeding, not measured. The generated records go out of scope before the run.
  const seeded = await (async () => {
    const data = generate(campaign, UNITS, HAZARDS, AT, linkKey);
    for (const u of data.units) UnitRecordSchema.parse(u);
    for (const p of data.pointers) SubmissionPointerSchema.parse(p);
    const hazards = [...data.hazards()];
    for (const h of hazards) HazardRecordSchema.parse(h);
    for (const z of data.zeroReports) ZeroReportSchema.parse(z);
    const items = tableItems(campaign, data.units, data.pointers, hazards, data.zeroReports);
    const started = performance.now();
    await batchWrite(clients.doc, tableName, items);
    return {
      units: data.units.length,
      pointers: data.pointers.length,
      hazards: hazards.length,
      majors: hazards.filter((h) => h.level === 'major').length,
      open: hazards.filter((h) => h.status !== 'closed').length,
      zeroReports: data.zeroReports.length,
      items: items.length,
      ms: performance.now() - started,
    };
  })();

  const logs: Record<string, unknown>[] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ message, ...fields }),
    warn: (message, fields) => logs.push({ message, ...fields }),
    error: (message, fields) => logs.push({ message, ...fields, error: String(fields?.error) }),
  };
  const clock = fixedClock(AT);
  const adapters = await createAdapters({ clock, logger, clients });

  // Where the time goes: spans of each kind of work, merged where they overlap.
  type Span = [number, number];
  const spans = { load: [] as Span[], query: [] as Span[], send: [] as Span[], mailLog: [] as Span[] };
  const wall = (list: readonly Span[]): number => {
    let total = 0;
    let end = Number.NEGATIVE_INFINITY;
    for (const [from, to] of [...list].sort((a, b) => a[0] - b[0])) {
      if (to <= end) continue;
      total += to - Math.max(from, end);
      end = to;
    }
    return total;
  };
  const timing = async <T>(list: Span[], work: () => Promise<T>): Promise<T> => {
    const from = performance.now();
    try {
      return await work();
    } finally {
      list.push([from, performance.now()]);
    }
  };

  /** The same object, each of its methods timed into `list`. */
  const timeEvery = <T extends object>(target: T, list: Span[]): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property);
        return typeof value === 'function'
          ? (...args: unknown[]) => timing(list, async () => value.apply(object, args))
          : value;
      },
    });

  // The four collections the check reads, on a client and store of our own: the store's `reads`
  // counts them, and a middleware next to the HTTP handler times each query until DynamoDB Local
  // answers (before the SDK unmarshals the items and zod parses them).
  const readClient = new DynamoDBClient({});
  readClient.middlewareStack.add((next) => (args) => timing(spans.query, () => next(args)), {
    step: 'deserialize',
    priority: 'low',
    name: 'benchQueryTimer',
  });
  const reads = new DynamoStore(
    DynamoDBDocumentClient.from(readClient, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  );
  const timed = <T>(items: AsyncIterable<T>): AsyncIterable<T> =>
    (async function* () {
      const from = performance.now();
      yield* items;
      spans.load.push([from, performance.now()]);
    })();
  const units = new DynamoUnitRepository(reads);
  const submissions = new DynamoSubmissionRepository(reads, 'Asia/Shanghai');
  const hazards = new DynamoHazardRepository(reads);
  const zeroReports = new DynamoZeroReports(reads);
  const workbooks: { scope: string; bytes: number; span: Span }[] = [];
  const deps: DailyCheckDeps = {
    ...dailyCheckDeps(adapters, 'https://forms.example'),
    units: { all: () => timed(units.all()) },
    submissions: { allFilers: (d) => timed(submissions.allFilers(d)) },
    hazards: { all: () => timed(hazards.all()) },
    zeroReports: { all: () => timed(zeroReports.all()) },
    mailer: timeEvery(adapters.mailer, spans.send),
    mailLog: timeEvery(adapters.mailLog, spans.mailLog),
    digestWorkbook: async (c: Campaign, digest: Digest, ledger: AsyncIterable<LedgerRow>) => {
      const from = performance.now();
      const file = await digestWorkbookFile(c, digest, ledger);
      const scope = digest.scope.kind === 'office' ? 'office' : digest.scope.district;
      workbooks.push({ scope, bytes: file.size, span: [from, performance.now()] });
      return file;
    },
  };

  collectGarbage();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const profiler = await startProfiler();
  const started = performance.now();
  const report = await runDailyCheck(deps, AT);
  const totalMs = performance.now() - started;
  await profiler.stop();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const outcome = (o: string) => report.mails.filter((m) => m.outcome === o).length;
  const reminders = report.mails.filter(
    (m) => m.purpose.startsWith('reminder:') && m.outcome === 'sent',
  ).length;
  const received = (await (await fetch(`${servers.endpoints.sesv2}/store`)).json()) as { emails: unknown[] };
  const office = workbooks.find((w) => w.scope === 'office');
  const done = logs.find((l) => l.message === 'daily check done');
  if (!done || done.hazards !== seeded.hazards)
    throw new Error(`the check read ${String(done?.hazards)} hazards, ${seeded.hazards} were written`);
  const loadMs = wall(spans.load);
  const loadEnd = Math.max(...spans.load.map(([, to]) => to));
  const firstClaim = Math.min(...spans.mailLog.map(([from]) => from));
  const ms = (n: number) => n.toFixed(0);

  console.log(
    `Seeded ${seeded.units} units, ${seeded.hazards} hazards (${seeded.majors} major, ${seeded.open} open), ` +
      `${seeded.pointers} submission pointers, ${seeded.zeroReports} zero reports: ${seeded.items} items ` +
      `in ${(seeded.ms / 1000).toFixed(1)} s (not measured). Check at ${AT.toISOString()} (${report.day}).\n`,
  );
  console.log(
    '| units | hazards | total (ms) | load (ms) | queries | items read | capacity units | mails sent (reminders + digests) | received by SES | office xlsx | peak RSS (MiB) | RSS before (MiB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  console.log(
    `| ${seeded.units} | ${seeded.hazards} | ${ms(totalMs)} | ${ms(loadMs)} | ` +
      `${reads.reads.queries} | ${reads.reads.items} | ${reads.reads.capacityUnits} | ` +
      `${outcome('sent')} (${reminders} + ${outcome('sent') - reminders}) | ${received.emails.length} | ` +
      `${((office?.bytes ?? 0) / 1024).toFixed(0)} KB | ${mib(peak).toFixed(0)} | ${mib(baseline).toFixed(0)} |`,
  );
  console.log(
    '\nWhere the wall time went (overlapping work merged; the phases overlap, so they do not add up):\n',
  );
  console.log(
    '| DynamoDB Local answering queries | load, rest (unmarshal, zod) | load end → first mail claim (campaignSnapshot, reminders) | mail log writes | mailer.send (MIME + in-process SES) | 8 digest workbooks | office workbook | failed mails |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ${ms(wall(spans.query))} | ${ms(loadMs - wall(spans.query))} | ${ms(firstClaim - loadEnd)} | ` +
      `${ms(wall(spans.mailLog))} (${spans.mailLog.length} writes) | ${ms(wall(spans.send))} (${spans.send.length} mails) | ` +
      `${ms(wall(workbooks.map((w) => w.span)))} | ${ms((office?.span[1] ?? 0) - (office?.span[0] ?? 0))} | ${outcome('failed')} |`,
  );
  console.log(
    `\nWorkbooks: ${workbooks.map((w) => `${w.scope} ${(w.bytes / 1024).toFixed(0)} KB in ${ms(w.span[1] - w.span[0])} ms`).join(', ')}.`,
  );
  console.log(
    `Target ≤ ${TARGET_MS / 1000} s: ${totalMs <= TARGET_MS ? 'met' : 'MISSED'}. Process max RSS (seeding included): ` +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; the SES server runs in this process.`,
  );
} finally {
  await servers.stop();
}
