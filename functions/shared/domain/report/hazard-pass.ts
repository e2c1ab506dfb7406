import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, UnitRecord } from '../../../../schemas/records.ts';
import { addDays, type LocalDate, localDateOf } from '../calendar/calendar.ts';
import { hasFiveImplementations, hazardDeadline, isOverdueMajor } from '../hazards/hazard-lifecycle.ts';
import type { AreaCount, Change, DigestScope, LedgerRow } from './digest.ts';

/**
 * One pass over the campaign's hazards, in the order they are read, keeping none of them: each
 * hazard is folded into its unit's counts, its scopes' area counts and the day's changes, and its
 * ledger row goes to a spool. A province's 400,000 hazards are never in memory at once.
 */

/** What the campaign state needs of one unit's hazards. */
export interface UnitHazardFacts {
  open: { general: number; major: number };
  /** Ids of open major hazards past their supervision deadline. */
  overdueMajors: string[];
  /** The earliest deadline among them: the overdue rhythm of reminders counts from it. */
  overdueMajorsSince: LocalDate | null;
  /** Ids of open hazards that need the five implementations and lack some of them. */
  missingFive: string[];
  awaitingAcceptance: string[];
}

export function emptyFacts(): UnitHazardFacts {
  return {
    open: { general: 0, major: 0 },
    overdueMajors: [],
    overdueMajorsSince: null,
    missingFive: [],
    awaitingAcceptance: [],
  };
}

/** Adds one hazard to its unit's facts. */
export function addToFacts(facts: UnitHazardFacts, hazard: HazardRecord, at: Date, timeZone: string): void {
  if (hazard.status === 'closed') return;
  facts.open[hazard.level] += 1;
  if (isOverdueMajor(hazard, at, timeZone)) {
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
export function hazardFacts(hazards: Iterable<HazardRecord>, at: Date, timeZone: string): UnitHazardFacts {
  const facts = emptyFacts();
  for (const hazard of hazards) addToFacts(facts, hazard, at, timeZone);
  return facts;
}

/**
 * Ledger rows by scope, read back in ledger order: major before general, open before closed,
 * and within that in the order appended (the order hazards are read: district, unit, id).
 * `rows` may be called more than once per scope, once every row is appended.
 */
export interface LedgerSpool {
  append(scope: string, row: LedgerRow): Promise<void> | void;
  rows(scope: string): AsyncIterable<LedgerRow>;
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

export interface ScopeTally {
  areas: AreaCount[];
  ledgerCount: number;
  /** Open hazards: how many, and the first `LISTED_ROWS` of them in ledger order. */
  stillOpen: { count: number; rows: LedgerRow[] };
}

export interface HazardPass {
  facts: ReadonlyMap<string, UnitHazardFacts>;
  /** Hazards of the campaign's units that were read. */
  count: number;
  /** What happened to hazards in the day before the check, in every scope. */
  changes: Change[];
  /** Open major hazards past their deadline, in every scope, in ledger order. */
  overdueMajors: LedgerRow[];
  /** Per scope key (`scopeKey`): the office's, and each district's that has units. */
  tallies: ReadonlyMap<string, ScopeTally>;
  spool: LedgerSpool;
}

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

function emptyTally(campaign: Campaign): ScopeTally & { majorOpen: LedgerRow[]; generalOpen: LedgerRow[] } {
  return {
    areas: emptyAreas(campaign),
    ledgerCount: 0,
    stillOpen: { count: 0, rows: [] },
    majorOpen: [],
    generalOpen: [],
  };
}

/** The changes one hazard made in the window (at − 24 h, at]. */
function hazardChanges(hazard: HazardRecord, unit: UnitRecord, at: Date, yesterday: LocalDate): Change[] {
  const end = at.getTime();
  const within = (iso: string | undefined) => {
    if (iso === undefined) return false;
    const t = Date.parse(iso);
    return t > end - 86_400_000 && t <= end;
  };
  const base = {
    unitCode: unit.code,
    unitName: unit.name,
    district: unit.district,
    subject: `${hazard.id} ${hazard.title}`,
    level: hazard.level,
  };
  const changes: Change[] = [];
  if (within(hazard.createdAt)) changes.push({ ...base, kind: 'hazard-reported', at: hazard.createdAt });
  if (hazard.status === 'closed' && within(hazard.closedAt))
    changes.push({ ...base, kind: 'hazard-closed', ...(hazard.closedAt ? { at: hazard.closedAt } : {}) });
  else if (hazard.status === 'awaiting-acceptance' && within(hazard.rectification?.at))
    changes.push({
      ...base,
      kind: 'acceptance-requested',
      ...(hazard.rectification ? { at: hazard.rectification.at } : {}),
    });
  if (hazard.level === 'major' && hazard.status !== 'closed' && hazardDeadline(hazard) === yesterday)
    changes.push({ ...base, kind: 'major-became-overdue' });
  return changes;
}

/**
 * Reads every hazard once. Hazards of units not in `units` (withdrawn ones, say) are skipped.
 * The city office reports none, so it has no facts.
 */
export async function passHazards(
  campaign: Campaign,
  units: readonly UnitRecord[],
  hazards: AsyncIterable<HazardRecord> | Iterable<HazardRecord>,
  at: Date,
  spool: LedgerSpool,
): Promise<HazardPass> {
  const zone = campaign.timeZone;
  const yesterday = addDays(localDateOf(at, zone), -1);
  const byCode = new Map(units.map((u) => [u.code, u]));
  const facts = new Map<string, UnitHazardFacts>();
  const tallies = new Map<string, ReturnType<typeof emptyTally>>();
  const tallyOf = (key: string) => {
    let tally = tallies.get(key);
    if (!tally) {
      tally = emptyTally(campaign);
      tallies.set(key, tally);
    }
    return tally;
  };
  tallyOf('office');
  for (const unit of units)
    if (unit.district !== null) tallyOf(scopeKey({ kind: 'district', district: unit.district }));

  const changes: Change[] = [];
  const overdueMajors: LedgerRow[] = [];
  let count = 0;
  for await (const hazard of hazards) {
    const unit = byCode.get(hazard.unitCode);
    if (!unit || unit.type === 'city-office') continue;
    count += 1;
    let unitFacts = facts.get(unit.code);
    if (!unitFacts) {
      unitFacts = emptyFacts();
      facts.set(unit.code, unitFacts);
    }
    addToFacts(unitFacts, hazard, at, zone);
    const row = ledgerRow(hazard, unit.name, isOverdueMajor(hazard, at, zone));
    if (row.overdue) overdueMajors.push(row);
    for (const change of hazardChanges(hazard, unit, at, yesterday)) changes.push(change);
    const keys = unit.district === null ? ['office'] : ['office', `district:${unit.district}`];
    for (const key of keys) {
      const tally = tallyOf(key);
      const area = tally.areas.find((a) => a.area === row.area);
      if (area) area[row.status === 'closed' ? 'closed' : 'open'][row.level] += 1;
      tally.ledgerCount += 1;
      if (row.status !== 'closed') {
        tally.stillOpen.count += 1;
        const list = row.level === 'major' ? tally.majorOpen : tally.generalOpen;
        if (list.length < LISTED_ROWS) list.push(row);
      }
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
