import { dashboardPage } from '../functions/http/workspace/dashboard-page.ts';
import { DynamoHazardRepository } from '../functions/shared/adapters/dynamo/hazards-repository.ts';
import { DynamoRollups } from '../functions/shared/adapters/dynamo/rollups-repository.ts';
import { DynamoStore } from '../functions/shared/adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from '../functions/shared/adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from '../functions/shared/adapters/dynamo/units-repository.ts';
import { parseDashboardQuery } from '../functions/shared/domain/report/dashboard.ts';
import { talliedDashboard } from '../functions/shared/domain/report/dashboard-load.ts';
import { rolledDashboard } from '../functions/shared/domain/report/dashboard-rolled.ts';
import { campaignInstant } from '../functions/shared/domain/report/instant.ts';
import type { DigestScope } from '../functions/shared/domain/report/model.ts';
import { prepareLocalStorage, startEmbeddedServers } from '../infra/local/embedded-servers.ts';
import { demoCampaign } from '../test/support/fixtures.ts';
import { generate } from './support/generated-campaign.ts';
import { batchWrite, tableItems } from './support/table-items.ts';

/**
 * The supervisors' dashboard (`GET /w`, issue 13) at province scale on DynamoDB Local: the
 * generated province (20,000 units, their filings, 400,000 hazards) written under the table's
 * keys, then the first page for the city office and for one district bureau, each read the way
 * the route reads it (`rolledDashboard`: the district rollups, the lag indexes as far as the
 * matrix's page, and only the supervised major hazards the page lists) and rendered, and the way
 * it falls back to for other filters (`talliedDashboard`: every unit and filing of the scope). `HAZARDS_WRITTEN=all` writes
 * every hazard (several minutes); by default only the major ones, since the page reads no other
 * (the query counts below show it).
 */
const UNITS = Number(process.env.UNITS ?? 20_000);
const HAZARDS = Number(process.env.HAZARDS ?? 400_000);
const AT = new Date(process.env.AT ?? '2018-03-20T08:00:00+08:00');
const RUNS = Number(process.env.RUNS ?? 3);
const WRITE_ALL = process.env.HAZARDS_WRITTEN === 'all';
const TARGET_MS = 1000;

const servers = await startEmbeddedServers({ dataDir: null });
try {
  const campaign = demoCampaign();
  const linkKey = 'bench-link-key-0123456789abcdefghijklmnopqrstuvwxyz';
  const { tableName, clients } = await prepareLocalStorage(campaign, servers.endpoints, linkKey);
  const data = generate(campaign, UNITS, HAZARDS, AT, linkKey);
  const hazards = [...data.hazards()].filter((h) => WRITE_ALL || h.level === 'major');
  const items = tableItems(campaign, data.units, data.pointers, hazards, data.zeroReports);
  const seededAt = performance.now();
  await batchWrite(clients.doc, tableName, items);
  console.log(
    `Seeded ${data.units.length} units, ${data.pointers.length} pointers, ${data.zeroReports.length} zero reports and ` +
      `${hazards.length} of ${data.hazardCount} hazards (${WRITE_ALL ? 'all' : 'the major ones'}): ${items.length} items ` +
      `in ${((performance.now() - seededAt) / 1000).toFixed(1)} s (not measured).\n`,
  );

  const store = new DynamoStore(clients.doc, tableName);
  const spans = { units: 0, pointers: 0, majors: 0 };
  const timed = <T>(key: keyof typeof spans, items: AsyncIterable<T>): AsyncIterable<T> =>
    (async function* () {
      const from = performance.now();
      yield* items;
      spans[key] += performance.now() - from;
    })();
  const units = new DynamoUnitRepository(store);
  const submissions = new DynamoSubmissionRepository(store, campaign.timeZone);
  const hazardRepo = new DynamoHazardRepository(store);
  const readers = {
    rollups: new DynamoRollups(store),
    units: {
      all: (...args: Parameters<DynamoUnitRepository['all']>) => timed('units', units.all(...args)),
      lagging: (...args: Parameters<DynamoUnitRepository['lagging']>) => units.lagging(...args),
      getMany: (...args: Parameters<DynamoUnitRepository['getMany']>) => units.getMany(...args),
    },
    submissions: {
      allFilers: (...args: Parameters<DynamoSubmissionRepository['allFilers']>) =>
        timed('pointers', submissions.allFilers(...args)),
    },
    hazards: {
      supervisedBy: async (...args: Parameters<DynamoHazardRepository['supervisedBy']>) => {
        const from = performance.now();
        const page = await hazardRepo.supervisedBy(...args);
        spans.majors += performance.now() - from;
        return page;
      },
    },
  };
  const instant = campaignInstant(campaign, AT);
  const scopes: [string, DigestScope, string][] = [
    ['city office', { kind: 'office' }, 'CITY-000'],
    ['Liyang bureau', { kind: 'district', district: 'liyang' }, 'LY-000'],
  ];
  // The route's way first (`rolledDashboard`: the rollups and the lag indexes), then the way it
  // falls back to when the matrix is filtered or sorted otherwise (`talliedDashboard`: every unit
  // of the scope and its filings); both must draw the same page.
  const ways = [
    ['rolled', rolledDashboard],
    ['tallied', talliedDashboard],
  ] as const;
  console.log(
    '| scope | way | run | page (ms) | read + figures (ms) | render (ms) | majors read (ms) | queries | items read | capacity units | units | open majors | HTML (KB) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, scope, self] of scopes) {
    const pages = new Map<string, string>();
    for (const [way, load] of ways)
      for (let run = 1; run <= RUNS; run += 1) {
        Object.assign(spans, { units: 0, pointers: 0, majors: 0 });
        Object.assign(store.reads, { queries: 0, items: 0, capacityUnits: 0 });
        const started = performance.now();
        const view = await load(campaign, readers, instant, scope, parseDashboardQuery({}, campaign, scope));
        const read = performance.now();
        if (!view) throw new Error(`the generated units are all tallied and rolled up (${way})`);
        const html = dashboardPage({ campaign, view, lang: 'zh', selfCode: self, viewerName: name });
        const done = performance.now();
        pages.set(way, html);
        const ms = (n: number) => n.toFixed(0);
        console.log(
          `| ${name} | ${way} | ${run} | ${ms(done - started)} | ${ms(read - started)} | ${ms(done - read)} | ` +
            `${ms(spans.majors)} | ${store.reads.queries} | ${store.reads.items} | ` +
            `${store.reads.capacityUnits.toFixed(0)} | ${view.unitCount} | ${view.openMajorCount} | ${(html.length / 1024).toFixed(0)} |`,
        );
        if (way === 'rolled' && run === RUNS && done - started > TARGET_MS)
          console.log(`| | | | target ≤ ${TARGET_MS} ms MISSED | | | | | | | | | |`);
      }
    if (pages.get('rolled') !== pages.get('tallied'))
      throw new Error(`${name}: the rolled page differs from the tallied one`);
  }
} finally {
  await servers.stop();
}
