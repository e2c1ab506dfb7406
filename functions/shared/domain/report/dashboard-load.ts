import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, UnitRecord } from '../../../../schemas/records.ts';
import type { HazardRepository, SubmissionRepository, UnitRepository } from '../../ports.ts';
import { isOpenHazard, isOverdueMajor } from '../hazards/hazard-lifecycle.ts';
import { collect, eachItem } from '../pages.ts';
import {
  buildDashboard,
  type DashboardQuery,
  type DashboardView,
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
    supervisedMajors(readers.hazards, units, scope, instant),
    query,
    openMajorCount(figures),
  );
  return buildDashboard(figures, query, majors);
}

/** The ledger's order: district (as the hazard index sorts it), unit, hazard number. */
function ledgerKey(row: Pick<LedgerRow, 'district' | 'unitCode' | 'id'>): string {
  return `${row.district ?? 'CITY'}#${row.unitCode}#${row.id}`;
}

/**
 * The open major hazards of `scope` in ledger order, as the ledger's rows, read as far as the
 * consumer reads. Every open major hazard is listed for supervision (a major report needs the
 * five implementations, and gets its supervisor with them): a district's schools' by their
 * bureau, whose index holds only that district; everything else (directly affiliated units, the
 * bureaus' own) by the city office, whose list is short and read whole. So the rows of one
 * district are its bureau's list merged with the office's rows of that district, and the
 * districts follow in the ledger's order.
 */
export async function* supervisedMajors(
  hazards: TalliedReaders['hazards'],
  units: readonly UnitRecord[],
  scope: DigestScope,
  instant: CampaignInstant,
): AsyncIterable<LedgerRow> {
  const active = new Map(
    units.filter((u) => !u.withdrawnAt && u.type !== 'city-office').map((u) => [u.code, u]),
  );
  const toRow = (hazard: HazardRecord): LedgerRow | null => {
    const unit = active.get(hazard.unitCode);
    if (!unit || !inScope(scope, unit.district) || hazard.level !== 'major' || !isOpenHazard(hazard))
      return null;
    return ledgerRow(hazard, unit.name, isOverdueMajor(hazard, instant.at, instant.timeZone));
  };
  const offices = units.filter((u) => u.type === 'city-office');
  const officeRows: LedgerRow[] = [];
  for (const office of offices)
    for await (const hazard of eachItem((page) => hazards.supervisedBy(office.code, page), 100)) {
      const row = toRow(hazard);
      if (row) officeRows.push(row);
    }
  const bureaus = units.filter(
    (u) => u.type === 'district-bureau' && u.district !== null && inScope(scope, u.district),
  );
  const districts = [
    ...new Set([...bureaus.map((b) => b.district ?? 'CITY'), ...officeRows.map((r) => r.district ?? 'CITY')]),
  ].sort();
  for (const district of districts) {
    const streams: AsyncIterator<LedgerRow>[] = [
      fromList(officeRows.filter((r) => (r.district ?? 'CITY') === district).sort(byLedger)),
      ...bureaus
        .filter((b) => b.district === district)
        .map((b) =>
          rowsOf(
            eachItem((page) => hazards.supervisedBy(b.code, page), 100),
            toRow,
          )[Symbol.asyncIterator](),
        ),
    ];
    yield* merge(streams);
  }
}

function byLedger(a: LedgerRow, b: LedgerRow): number {
  const ka = ledgerKey(a);
  const kb = ledgerKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

async function* rowsOf(
  hazards: AsyncIterable<HazardRecord>,
  toRow: (hazard: HazardRecord) => LedgerRow | null,
): AsyncIterable<LedgerRow> {
  for await (const hazard of hazards) {
    const row = toRow(hazard);
    if (row) yield row;
  }
}

function fromList(rows: readonly LedgerRow[]): AsyncIterator<LedgerRow> {
  return (async function* () {
    yield* rows;
  })()[Symbol.asyncIterator]();
}

/** Merges streams each in ledger order into one, reading each only as far as needed. */
async function* merge(streams: AsyncIterator<LedgerRow>[]): AsyncIterable<LedgerRow> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (const [i, head] of heads.entries()) {
      if (head.done) continue;
      const current = heads[best];
      if (best < 0 || (current && !current.done && byLedger(head.value, current.value) < 0)) best = i;
    }
    const winner = heads[best];
    const stream = streams[best];
    if (best < 0 || !winner || winner.done || !stream) return;
    yield winner.value;
    heads[best] = await stream.next();
  }
}
