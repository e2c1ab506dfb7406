import type { Campaign } from '../../../../schemas/campaign.ts';
import type { UnitRecord } from '../../../../schemas/records.ts';
import type { Page, PageRequest, RollupRepository, UnitRepository } from '../../ports.ts';
import { daysBetween, type LocalDate } from '../calendar/calendar.ts';
import { tallyFigures } from '../hazards/hazard-tally.ts';
import { collect, mergeSorted } from '../pages.ts';
import {
  AFFILIATED_FILTER,
  buildDashboard,
  cumulativeSeries,
  type DashboardQuery,
  type DashboardTotals,
  type DashboardView,
  districtRank,
  type MatrixRow,
  majorsPage,
  matrixRow,
  openMajorCount,
  PAGE_SIZE,
} from './dashboard.ts';
import { talliedUnit, tallyTotals } from './dashboard-figures.ts';
import { type MajorsUnits, supervisedMajors, type TalliedReaders } from './dashboard-load.ts';
import type { CampaignInstant, DeliverableProgress, DigestScope } from './model.ts';
import { type Counters, lagParts, owedDays, pointersOfMarks, rollupTally, sumCounters } from './rollup.ts';

/**
 * The dashboard from the district rollups (`rollup.ts`): the figures from a scope's rollup items,
 * the matrix's page in its default order (most days behind first) from two indexes of the
 * profiles per district, merged, and the open major hazards as the tallied page reads them. It
 * reads a few hundred items whatever the campaign's size. Null when it cannot answer exactly:
 * the rollups are not complete (`ROLLUP_READY`), a unit of the scope was moved between districts,
 * or the matrix is filtered, searched or sorted otherwise (the caller then reads the scope's units).
 */

export interface RolledReaders extends TalliedReaders {
  rollups: Pick<RollupRepository, 'read'>;
  units: Pick<UnitRepository, 'all' | 'lagging' | 'getMany'>;
}

/** Whether the matrix's page can be read from the lag indexes: the default order, unfiltered but by district. */
export function rolledMatrixServes(query: DashboardQuery): boolean {
  return query.sort === 'lateness' && query.type === undefined && query.state === undefined && query.q === '';
}

export async function rolledDashboard(
  campaign: Campaign,
  readers: RolledReaders,
  instant: CampaignInstant,
  scope: DigestScope,
  query: DashboardQuery,
): Promise<DashboardView | null> {
  if (!rolledMatrixServes(query)) return null;
  const scopeDistricts: (string | null)[] =
    scope.kind === 'district' ? [scope.district] : [...campaign.districts.map((d) => d.code), null];
  // What the rest needs is read at once: the rollups, and who supervises the major hazards.
  const [rollups, offices, bureaus] = await Promise.all([
    readers.rollups.read(),
    collect(readers.units.all({ district: null, type: 'city-office' })),
    Promise.all(
      scopeDistricts
        .filter((d): d is string => d !== null)
        .map((district) => collect(readers.units.all({ district, type: 'district-bureau' }))),
    ).then((lists) => lists.flat()),
  ]);
  if (!rollups.ready) return null;
  const inScope = (district: string | null) => scope.kind === 'office' || district === scope.district;
  const byDistrict = new Map<string | null, Counters[]>();
  for (const item of rollups.items) {
    if (!inScope(item.district)) continue;
    byDistrict.set(item.district, [...(byDistrict.get(item.district) ?? []), item.counters]);
  }
  const counters = sumCounters([...byDistrict.values()].flat());
  if ((counters.mv ?? 0) > 0) return null;
  const totals = rolledTotals(campaign, counters, instant, scope);

  const shown =
    query.district === undefined
      ? scopeDistricts
      : scopeDistricts.filter((d) => d === (query.district === AFFILIATED_FILTER ? null : query.district));
  const total = shown.reduce((n, d) => n + unitCount(sumCounters(byDistrict.get(d) ?? [])), 0);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page), pages);
  const who: MajorsUnits = {
    offices,
    bureaus,
    units: async (codes) => new Map((await readers.units.getMany(codes)).map((u) => [u.code, u])),
  };
  const [rows, majors] = await Promise.all([
    laggingRows(campaign, readers.units, shown, instant, (page - 1) * PAGE_SIZE),
    majorsPage(
      campaign,
      totals.day,
      supervisedMajors(readers.hazards, who, scope, instant),
      query,
      openMajorCount(totals),
    ),
  ]);
  return buildDashboard(totals, query, { rows, total, page, pages }, majors);
}

function unitCount(counters: Counters): number {
  return Object.entries(counters).reduce((n, [name, count]) => (name.startsWith('n#') ? n + count : n), 0);
}

/** The dashboard's figures from the scope's summed rollup counters: what `talliedFigures` counts from every unit. */
export function rolledTotals(
  campaign: Campaign,
  counters: Counters,
  instant: CampaignInstant,
  scope: DigestScope,
): DashboardTotals {
  const tally = rollupTally(counters);
  const count = (name: string) => counters[name] ?? 0;
  const progress = campaign.deliverables.map((d): DeliverableProgress => {
    const required = d.requiredOf.reduce((n, type) => n + count(`n#${type}`), 0);
    const onTime = count(`f#${d.id}#on-time`);
    const late = count(`f#${d.id}#late`);
    const sentBack = count(`f#${d.id}#sent-back`);
    const unfiled = required - onTime - late - sentBack;
    const past = daysBetween(instant.today, d.dueDate) < 0;
    return {
      deliverableId: d.id,
      name: d.name,
      dueDate: d.dueDate,
      required,
      onTime,
      late,
      accepted: count(`f#${d.id}#accepted`),
      sentBack,
      pending: past ? 0 : unfiled,
      overdue: past ? unfiled : 0,
    };
  });
  const series = progress.map((p) => {
    const prefix = `s#${p.deliverableId}#`;
    const byDay = new Map<LocalDate, number>();
    for (const [name, n] of Object.entries(counters))
      if (name.startsWith(prefix) && name.slice(prefix.length) <= instant.today)
        byDay.set(name.slice(prefix.length), n);
    return cumulativeSeries(campaign, instant.today, p, byDay);
  });
  return {
    ...tallyTotals(campaign, tally, instant, scope),
    progress,
    unitCount: unitCount(counters),
    overdueMajorCount: tallyFigures(tally, instant.at, campaign.timeZone).overdueMajors,
    series,
  };
}

/** A unit met in one of the lag indexes, with what it is worth there. */
interface LagEntry {
  unit: UnitRecord;
  /** Days behind as this index ranks it. */
  days: number;
  /** Days behind for what it owes, and its most days late: the unit is the larger behind. */
  owed: number;
  late: number;
  rank: number;
  /** `owed` before `lag` when a unit's days come from both. */
  index: 'owed' | 'lag';
}

function byLag(a: LagEntry, b: LagEntry): number {
  return (
    b.days - a.days ||
    a.rank - b.rank ||
    (a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0) ||
    (a.index === b.index ? 0 : a.index === 'owed' ? -1 : 1)
  );
}

/**
 * The matrix's rows `skip` to `skip + PAGE_SIZE` in its default order (days behind, then the
 * district's rank, then the unit's code) over the units of `districts`. Each district has two
 * indexes of its units' profiles, each in that order within the district: `owed` (units that owe
 * a deliverable, by the earliest due date, so most days behind first), read while past due, and
 * `lag` (every unit, by its most days late). A unit is `max(owed days, late days, 0)` behind, so
 * it is taken where the index ranks it at that worth (`owed` first on a tie) and passed over in
 * the other: merged by that order, each unit comes once, with no memory of the units before.
 */
export async function laggingRows(
  campaign: Campaign,
  units: Pick<UnitRepository, 'lagging'>,
  districts: readonly (string | null)[],
  instant: CampaignInstant,
  skip: number,
): Promise<MatrixRow[]> {
  const today = instant.today;
  const streams = districts.flatMap((district) =>
    (['owed', 'lag'] as const).map((index) =>
      (async function* (): AsyncGenerator<LagEntry> {
        const rank = districtRank(campaign, district);
        for await (const unit of growingPages((page) => units.lagging(district, index, page))) {
          const parts = lagParts(campaign, unit);
          const owed = owedDays(parts.owedSince, today);
          const days = index === 'owed' ? owed : parts.lateDays;
          // The owed index runs in due-date order: from here on nothing is past due.
          if (index === 'owed' && days === 0) return;
          yield { unit, days, owed, late: parts.lateDays, rank, index };
        }
      })(),
    ),
  );
  const rows: MatrixRow[] = [];
  let passed = 0;
  for await (const entry of mergeSorted(streams, byLag)) {
    const { owed } = entry;
    const behind = Math.max(owed, entry.late);
    if (entry.days !== behind || (entry.index === 'lag' && owed === behind && owed > 0)) continue;
    if (passed < skip) {
      passed += 1;
      continue;
    }
    const shown = talliedUnit(campaign, entry.unit, pointersOfMarks(entry.unit), instant);
    rows.push(matrixRow(campaign, shown, today));
    if (rows.length >= PAGE_SIZE) break;
  }
  return rows;
}

/**
 * Every item of a lag index, read in pages that grow: a page of the matrix takes its fifty rows
 * from a few of a province's dozens of streams, so each is first read a little, then more.
 */
async function* growingPages(
  fetch: (page: PageRequest) => Promise<Page<UnitRecord>>,
): AsyncGenerator<UnitRecord> {
  let cursor: string | undefined;
  let limit = FIRST_LAG_PAGE;
  do {
    const page = await fetch({ limit, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.cursor;
    limit = PAGE_SIZE + 10;
  } while (cursor);
}

/** The first read of each lag index: enough for a district's share of a page. */
const FIRST_LAG_PAGE = 12;
