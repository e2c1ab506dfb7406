import type { Campaign } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import type { SubmissionPointer, UnitRecord } from '../../../../schemas/records.ts';
import type { LocalDate } from '../calendar/calendar.ts';
import {
  addTally,
  type HazardTally,
  tallyAreaCounts,
  tallyFigures,
  tallyLedgerCounts,
} from '../hazards/hazard-tally.ts';
import { driveOn, pointersByUnit, unitDeliverables } from './campaign-state.ts';
import { buildDigest, districtName, inScope, progressOf, WHOLE_CITY } from './digest.ts';
import { emptyAreas } from './hazard-pass.ts';
import type {
  AreaCount,
  CampaignInstant,
  CampaignSnapshot,
  DeliverableProgress,
  Digest,
  DigestScope,
  UnitState,
} from './model.ts';

/**
 * What the supervisors' dashboard is drawn from: one scope's figures at one instant, from either
 * of two sources that agree (the tests hold them equal):
 * - `figuresOfSnapshot`: the digest's own figures (`buildDigest`) of a full `CampaignSnapshot`,
 *   every hazard read: what the morning's mail and its spreadsheet show;
 * - `talliedFigures`: the units, their filings and the hazard tallies kept on each unit's
 *   profile (`hazard-tally.ts`), no hazard read: what lets the page answer in a province.
 */

/** One unit as the matrix shows it. */
export interface DashboardUnit {
  unit: UnitState['unit'];
  deliverables: UnitState['deliverables'];
  openHazards: UnitState['openHazards'];
  /** Its open major hazards past their supervision deadline. */
  overdueMajors: number;
}

export interface DashboardFigures {
  campaign: Campaign;
  instant: CampaignInstant;
  scope: DigestScope;
  scopeName: Label;
  day: LocalDate;
  drive: Digest['drive'];
  /** Per deliverable, as the digest counts it. */
  progress: DeliverableProgress[];
  /** The scope's units (the city office, which files nothing, and withdrawn units left out). */
  units: DashboardUnit[];
  /** Hazards by area and level, open and closed, as in the digest. */
  areas: AreaCount[];
  ledgerCount: number;
  openCount: number;
  overdueMajorCount: number;
  /** The filings of the scope's units (the progress series reads their first filing). */
  pointers: readonly SubmissionPointer[];
}

/** A digest unit as the matrix shows it. */
export function dashboardUnit(state: UnitState): DashboardUnit {
  return {
    unit: state.unit,
    deliverables: state.deliverables,
    openHazards: state.openHazards,
    overdueMajors: state.overdueMajors.length,
  };
}

/** The digest's figures for `scope`, from a snapshot that read every hazard. */
export function figuresOfSnapshot(snapshot: CampaignSnapshot, scope: DigestScope): DashboardFigures {
  const digest = buildDigest(snapshot, scope);
  const codes = new Set(digest.units.map((u) => u.unit.code));
  return {
    campaign: snapshot.campaign,
    instant: snapshot.instant,
    scope,
    scopeName: digest.scopeName,
    day: digest.day,
    drive: digest.drive,
    progress: digest.progress,
    units: digest.units.map(dashboardUnit),
    areas: digest.areas,
    ledgerCount: digest.ledgerCount,
    openCount: digest.stillOpen.count,
    overdueMajorCount: digest.overdueMajors.length,
    pointers: snapshot.records.pointers.filter((p) => codes.has(p.unitCode)),
  };
}

/**
 * Whether every unit the dashboard of `scope` counts has a complete tally (`tallied`) and was
 * never moved to another district (`moved`: its records stay indexed under the old one).
 */
export function talliesComplete(units: readonly UnitRecord[], scope: DigestScope): boolean {
  return scopeUnits(units, scope).every((u) => u.tallied === true && u.moved !== true);
}

function scopeUnits(units: readonly UnitRecord[], scope: DigestScope): UnitRecord[] {
  return units.filter((u) => !u.withdrawnAt && u.type !== 'city-office' && inScope(scope, u.district));
}

/** A unit as the matrix shows it, from its profile (its tally) and its filings. */
export function talliedUnit(
  campaign: Campaign,
  unit: UnitRecord,
  pointers: ReadonlyMap<string, SubmissionPointer>,
  instant: CampaignInstant,
): DashboardUnit {
  const figures = tallyFigures(unit.tally ?? {}, instant.at, campaign.timeZone);
  return {
    unit: { code: unit.code, name: unit.name, type: unit.type, district: unit.district, email: unit.email },
    deliverables: unitDeliverables(campaign, unit, pointers, instant),
    openHazards: figures.open,
    overdueMajors: figures.overdueMajors,
  };
}

/**
 * The same figures from the units' tallies: `units` are all the campaign's units as stored (their
 * tallies complete, see `talliesComplete`), `pointers` the filings of any of them.
 */
export function talliedFigures(
  campaign: Campaign,
  records: { units: readonly UnitRecord[]; pointers: readonly SubmissionPointer[] },
  instant: CampaignInstant,
  scope: DigestScope,
): DashboardFigures {
  const units = scopeUnits(records.units, scope);
  const codes = new Set(units.map((u) => u.code));
  const pointers = records.pointers.filter((p) => codes.has(p.unitCode));
  const byUnit = pointersByUnit(pointers);
  const scopeTally: HazardTally = {};
  let overdueMajorCount = 0;
  const rows = units.map((unit): DashboardUnit => {
    addTally(scopeTally, unit.tally ?? {});
    const row = talliedUnit(campaign, unit, byUnit.get(unit.code) ?? new Map(), instant);
    overdueMajorCount += row.overdueMajors;
    return row;
  });
  return {
    ...tallyTotals(campaign, scopeTally, instant, scope),
    progress: progressOf(campaign, rows),
    units: rows,
    overdueMajorCount,
    pointers,
  };
}

/**
 * The parts of a scope's figures that its summed hazard tally gives (with the scope's names and
 * the drive's state), the same whichever source summed it: the units' tallies or the rollups.
 */
export function tallyTotals(
  campaign: Campaign,
  tally: HazardTally,
  instant: CampaignInstant,
  scope: DigestScope,
): Pick<
  DashboardFigures,
  'campaign' | 'instant' | 'scope' | 'scopeName' | 'day' | 'drive' | 'areas' | 'ledgerCount' | 'openCount'
> {
  const counts = new Map(tallyAreaCounts(campaign, tally).map((c) => [c.area, c]));
  return {
    campaign,
    instant,
    scope,
    scopeName: scope.kind === 'office' ? WHOLE_CITY : districtName(campaign, scope.district),
    day: instant.today,
    drive: driveOn(campaign, instant.today),
    areas: emptyAreas(campaign).map((area) => ({ ...area, ...counts.get(area.area) })),
    ...tallyLedgerCounts(tally),
  };
}
