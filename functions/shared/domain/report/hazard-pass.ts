import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, UnitRecord } from '../../../../schemas/records.ts';
import {
  hasFiveImplementations,
  hazardDeadline,
  isOpenHazard,
  isOverdueMajor,
} from '../hazards/hazard-lifecycle.ts';
import { hazardChanges } from './changes.ts';
import type {
  AreaCount,
  CampaignInstant,
  Change,
  DigestScope,
  HazardPass,
  LedgerRow,
  LedgerSpool,
  ScopeTally,
  UnitHazardFacts,
} from './model.ts';

/**
 * One pass over the campaign's hazards, in the order they are read, keeping none of them: each
 * hazard is folded into its unit's counts, its scopes' area counts and the day's changes, and its
 * ledger row goes to a spool. A province's 400,000 hazards are never in memory at once.
 */

export function emptyFacts(): UnitHazardFacts {
  return {
    open: { general: 0, major: 0 },
    overdueMajors: [],
    overdueMajorsSince: null,
    missingFive: [],
    awaitingAcceptance: [],
  };
}

/** Adds one hazard to its unit's facts; `overdue` is `isOverdueMajor` of it at the check. */
function addToFacts(facts: UnitHazardFacts, hazard: HazardRecord, overdue: boolean): void {
  if (!isOpenHazard(hazard)) return;
  facts.open[hazard.level] += 1;
  if (overdue) {
    facts.overdueMajors.push(hazard.id);
    const since = hazard.supervision?.deadline ?? '';
    if (facts.overdueMajorsSince === null || since < facts.overdueMajorsSince)
      facts.overdueMajorsSince = since;
  }
  if ((!hazard.report.fixedOnSpot || hazard.level === 'major') && !hasFiveImplementations(hazard))
    facts.missingFive.push(hazard.id);
  if (hazard.status === 'awaiting-acceptance') facts.awaitingAcceptance.push(hazard.id);
}

/** The facts of a unit whose hazards are at hand as a list. */
export function hazardFacts(hazards: Iterable<HazardRecord>, instant: CampaignInstant): UnitHazardFacts {
  const facts = emptyFacts();
  for (const hazard of hazards)
    addToFacts(facts, hazard, isOverdueMajor(hazard, instant.at, instant.timeZone));
  return facts;
}

/** 0 major open, 1 major closed, 2 general open, 3 general closed. */
export function ledgerBucket(row: Pick<LedgerRow, 'level' | 'status'>): number {
  return (row.level === 'major' ? 0 : 2) + (row.status === 'closed' ? 1 : 0);
}

export const LEDGER_BUCKETS = 4;

export function scopeKey(scope: DigestScope): string {
  return scope.kind === 'office' ? 'office' : `district:${scope.district}`;
}

/** Rows of a list in a mail; the spreadsheet has them all. */
export const LISTED_ROWS = 50;

export function ledgerRow(hazard: HazardRecord, unitName: string, overdue: boolean): LedgerRow {
  const five = hazard.report.five;
  return {
    id: hazard.id,
    unitCode: hazard.unitCode,
    unitName,
    district: hazard.district,
    area: hazard.area,
    level: hazard.level,
    status: hazard.status,
    title: hazard.title,
    description: hazard.report.description,
    location: hazard.report.location,
    foundOn: hazard.report.foundOn,
    fixedOnSpot: hazard.report.fixedOnSpot,
    owner: five ? `${five.owner.name}（${five.owner.role}）${five.owner.phone}` : '',
    measures: five?.measures ?? hazard.report.fixNote ?? '',
    fundsYuan: five?.funds.amountYuan ?? null,
    fundsSource: five?.funds.source ?? '',
    deadline: hazardDeadline(hazard),
    contingency:
      five?.contingency ?? (hazard.photos.some((p) => p.kind === 'plan') ? '（见附件 / attached）' : ''),
    supervisor: hazard.supervision?.supervisorUnit ?? '',
    overdue,
    createdAt: hazard.createdAt,
    closedAt: hazard.closedAt ?? null,
  };
}

/** Every hazard area of the campaign, with nothing counted yet. */
export function emptyAreas(campaign: Campaign): AreaCount[] {
  return campaign.hazardDrive.areas.map((area) => ({
    area: area.id,
    name: area.name,
    open: { general: 0, major: 0 },
    closed: { general: 0, major: 0 },
  }));
}

type OpenTally = ScopeTally & { majorOpen: LedgerRow[]; generalOpen: LedgerRow[] };

function emptyTally(campaign: Campaign): OpenTally {
  return {
    areas: emptyAreas(campaign),
    ledgerCount: 0,
    stillOpen: { count: 0, rows: [] },
    majorOpen: [],
    generalOpen: [],
  };
}

/** Counts one ledger row in one scope's tally. */
function addToTally(tally: OpenTally, row: LedgerRow): void {
  const area = tally.areas.find((a) => a.area === row.area);
  if (area) area[row.status === 'closed' ? 'closed' : 'open'][row.level] += 1;
  tally.ledgerCount += 1;
  if (row.status !== 'closed') {
    tally.stillOpen.count += 1;
    const list = row.level === 'major' ? tally.majorOpen : tally.generalOpen;
    if (list.length < LISTED_ROWS) list.push(row);
  }
}

/** The tallies, with the office's and every district's that has units, counted or not. */
function scopeTallies(campaign: Campaign, units: readonly UnitRecord[]): Map<string, OpenTally> {
  const tallies = new Map<string, OpenTally>([['office', emptyTally(campaign)]]);
  for (const unit of units) {
    const key = unit.district === null ? null : scopeKey({ kind: 'district', district: unit.district });
    if (key !== null && !tallies.has(key)) tallies.set(key, emptyTally(campaign));
  }
  return tallies;
}

/**
 * Reads every hazard once. Hazards of units not in `units` (withdrawn ones, say) are skipped.
 * The city office reports none, so it has no facts.
 */
export async function passHazards(
  campaign: Campaign,
  units: readonly UnitRecord[],
  hazards: AsyncIterable<HazardRecord> | Iterable<HazardRecord>,
  instant: CampaignInstant,
  spool: LedgerSpool,
): Promise<HazardPass> {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const facts = new Map<string, UnitHazardFacts>();
  const tallies = scopeTallies(campaign, units);
  const changes: Change[] = [];
  const overdueMajors: LedgerRow[] = [];
  let count = 0;
  for await (const hazard of hazards) {
    const unit = byCode.get(hazard.unitCode);
    if (!unit || unit.type === 'city-office') continue;
    // A withdrawn report (a wrong one) is in no count, tally or ledger; only its withdrawal is news.
    if (hazard.status === 'withdrawn') {
      for (const change of hazardChanges(hazard, unit, instant)) changes.push(change);
      continue;
    }
    count += 1;
    let unitFacts = facts.get(unit.code);
    if (!unitFacts) {
      unitFacts = emptyFacts();
      facts.set(unit.code, unitFacts);
    }
    const row = ledgerRow(hazard, unit.name, isOverdueMajor(hazard, instant.at, instant.timeZone));
    addToFacts(unitFacts, hazard, row.overdue);
    if (row.overdue) overdueMajors.push(row);
    for (const change of hazardChanges(hazard, unit, instant)) changes.push(change);
    const keys = unit.district === null ? ['office'] : ['office', `district:${unit.district}`];
    for (const key of keys) {
      let tally = tallies.get(key);
      if (!tally) {
        tally = emptyTally(campaign);
        tallies.set(key, tally);
      }
      addToTally(tally, row);
      await spool.append(key, row);
    }
  }
  const result = new Map<string, ScopeTally>();
  for (const [key, { majorOpen, generalOpen, ...tally }] of tallies) {
    tally.stillOpen.rows = [...majorOpen, ...generalOpen].slice(0, LISTED_ROWS);
    result.set(key, tally);
  }
  return { facts, count, changes, overdueMajors, tallies: result, spool };
}
