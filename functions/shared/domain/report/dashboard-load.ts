import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, UnitRecord } from '../../../../schemas/records.ts';
import type { HazardRepository, SubmissionRepository, UnitRepository } from '../../ports.ts';
import { isOpenHazard, isOverdueMajor } from '../hazards/hazard-lifecycle.ts';
import { collect, eachPage, mergeSorted } from '../pages.ts';
import {
  type DashboardQuery,
  type DashboardView,
  dashboardOfFigures,
  majorsPage,
  openMajorCount,
} from './dashboard.ts';
import { talliedFigures, talliesComplete } from './dashboard-figures.ts';
import { inScope } from './digest.ts';
import { ledgerRow } from './hazard-pass.ts';
import type { CampaignInstant, DigestScope, LedgerRow } from './model.ts';

/**
 * The dashboard without reading the campaign's hazards: the scope's units (with their tallies)
 * and filings, then only as many of the scope's supervised major hazards as the page shows. Query
 * only. Null when some unit of the scope has no complete tally yet (a table from before tallies,
 * not yet recounted by `campaign load`): the caller then reads everything (`loadSnapshot`).
 */

export interface TalliedReaders {
  units: Pick<UnitRepository, 'all'>;
  submissions: Pick<SubmissionRepository, 'allFilers'>;
  hazards: Pick<HazardRepository, 'supervisedBy'>;
}

export async function talliedDashboard(
  campaign: Campaign,
  readers: TalliedReaders,
  instant: CampaignInstant,
  scope: DigestScope,
  query: DashboardQuery,
): Promise<DashboardView | null> {
  // A bureau reads its own district's units and filings (and the city office, which supervises
  // the bureau's own hazards); the office reads every district's, each district a query of its
  // own, all at once (the indexes' district prefixes).
  const districts: { district: string | null }[] =
    scope.kind === 'district'
      ? [{ district: scope.district }]
      : [...campaign.districts.map((d) => ({ district: d.code })), { district: null }];
  const [units, pointers] = await Promise.all([
    Promise.all([
      ...districts.map((filter) => collect(readers.units.all(filter))),
      scope.kind === 'district' ? collect(readers.units.all({ district: null, type: 'city-office' })) : [],
    ]).then((lists) => lists.flat()),
    Promise.all(
      campaign.deliverables.flatMap((d) =>
        districts.map((filter) => collect(readers.submissions.allFilers(d.id, filter))),
      ),
    ).then((lists) => lists.flat()),
  ]);
  if (!talliesComplete(units, scope)) return null;
  const figures = talliedFigures(campaign, { units, pointers }, instant, scope);
  const majors = await majorsPage(
    campaign,
    figures.day,
    supervisedMajors(readers.hazards, majorsUnitsOf(units, scope), scope, instant),
    query,
    openMajorCount(figures),
  );
  return dashboardOfFigures(figures, query, majors);
}

/** The ledger's order: district (as the hazard index sorts it), unit, hazard number. */
function ledgerKey(row: Pick<LedgerRow, 'district' | 'unitCode' | 'id'>): string {
  return `${row.district ?? 'CITY'}#${row.unitCode}#${row.id}`;
}

/** The units the list of open major hazards needs: who supervises, and a lookup of the rest. */
export interface MajorsUnits {
  /** The city office (or offices). */
  offices: readonly UnitRecord[];
  /** The district bureaus of the scope. */
  bureaus: readonly UnitRecord[];
  /** The units of `codes` that exist (a hazard's row names its unit). */
  units(codes: readonly string[]): Promise<Map<string, UnitRecord>>;
}

/** `MajorsUnits` from the whole roster, held in memory. */
export function majorsUnitsOf(units: readonly UnitRecord[], scope: DigestScope): MajorsUnits {
  const byCode = new Map(units.map((u) => [u.code, u]));
  return {
    offices: units.filter((u) => u.type === 'city-office'),
    bureaus: units.filter(
      (u) => u.type === 'district-bureau' && u.district !== null && inScope(scope, u.district),
    ),
    units: async (codes) =>
      new Map(codes.flatMap((code) => (byCode.has(code) ? [[code, byCode.get(code) as UnitRecord]] : []))),
  };
}

/**
 * The open major hazards of `scope` in ledger order, as the ledger's rows, read as far as the
 * consumer reads. Every open major hazard is listed for supervision (a major report needs the
 * five implementations, and gets its supervisor with them): a district's schools' by their
 * bureau, whose index holds only that district; everything else (directly affiliated units, the
 * bureaus' own) by the city office, whose list is short and read whole. So the rows of one
 * district are its bureau's list merged with the office's rows of that district, and the
 * districts follow in the ledger's order. Each page of hazards looks up its units at once.
 */
export async function* supervisedMajors(
  hazards: TalliedReaders['hazards'],
  who: MajorsUnits,
  scope: DigestScope,
  instant: CampaignInstant,
): AsyncIterable<LedgerRow> {
  const rowsOfPage = async (page: readonly HazardRecord[]): Promise<LedgerRow[]> => {
    const units = await who.units([...new Set(page.map((h) => h.unitCode))]);
    return page.flatMap((hazard) => {
      const unit = units.get(hazard.unitCode);
      if (!unit || unit.withdrawnAt || unit.type === 'city-office') return [];
      if (!inScope(scope, unit.district) || hazard.level !== 'major' || !isOpenHazard(hazard)) return [];
      return [ledgerRow(hazard, unit.name, isOverdueMajor(hazard, instant.at, instant.timeZone))];
    });
  };
  const supervised = async function* (supervisor: string): AsyncGenerator<LedgerRow> {
    for await (const page of eachPage((request) => hazards.supervisedBy(supervisor, request), 100))
      yield* await rowsOfPage(page);
  };
  const officeRows: LedgerRow[] = [];
  for (const office of who.offices) officeRows.push(...(await collect(supervised(office.code))));
  const districts = [
    ...new Set([
      ...who.bureaus.map((b) => b.district ?? 'CITY'),
      ...officeRows.map((r) => r.district ?? 'CITY'),
    ]),
  ].sort();
  for (const district of districts) {
    const streams: AsyncIterator<LedgerRow>[] = [
      fromList(officeRows.filter((r) => (r.district ?? 'CITY') === district).sort(byLedger)),
      ...who.bureaus.filter((b) => b.district === district).map((b) => supervised(b.code)),
    ];
    yield* mergeSorted(streams, byLedger);
  }
}

function byLedger(a: LedgerRow, b: LedgerRow): number {
  const ka = ledgerKey(a);
  const kb = ledgerKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function fromList(rows: readonly LedgerRow[]): AsyncIterator<LedgerRow> {
  return (async function* () {
    yield* rows;
  })()[Symbol.asyncIterator]();
}
