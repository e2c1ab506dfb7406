import type { z } from 'zod';
import type { Campaign } from '../../../../schemas/campaign.ts';
import type {
  FilingMarkSchema,
  SubmissionPointer,
  SubmissionVersion,
  UnitRecord,
} from '../../../../schemas/records.ts';
import { daysBetween, type LocalDate, localDateOf } from '../calendar/calendar.ts';
import { deliverableStateOn, isFiledState } from '../calendar/deadlines.ts';
import { deliverablesOf } from '../filing/uploads.ts';
import { addTally, type HazardTally, isTallyCounter } from '../hazards/hazard-tally.ts';

/**
 * District rollups: what a district's units add up to, kept exact in the same transactions that
 * change a unit, so that the city office's dashboard counts 20,000 units by reading about a
 * hundred items (issue 13's scale).
 *
 * Each unit belongs to one rollup item, its `rollupKey` (`<district>#<shard>`, the shard a hash of
 * its code: concurrent writes of one district's units meet on one of `ROLLUP_SHARDS` items, not
 * on one). The unit's part (`unitContribution`) is a map of counters:
 * - `n#<type>`: the unit itself, by type (so "required" is counted by the deliverables' types);
 * - `f#<deliverable>#on-time|late|sent-back`, `f#<deliverable>#accepted`: its filings' states;
 * - `s#<deliverable>#<day>`: the day of a filing that counts as filed (not sent back), for the
 *   progress chart;
 * - `mv`: a unit moved to another district (its records stay indexed under the old one, so a
 *   scope holding one is read in full);
 * - its hazard tally's counters (`hazard-tally.ts`).
 *
 * A unit's filings are mirrored on its profile as `FilingMark`s (its pointers' state fields), set in
 * the same transaction as each filing and decision, so the profile alone says where the unit
 * stands: a roster change moves its whole part between rollups without reading its filings, and
 * the dashboard's matrix draws a row from the profile.
 *
 * A unit created under this scheme has a `rollupKey` from its creation; a unit from an older table
 * has none, and the rollups stay unread (`ROLLUP_READY` is not written) while any active unit lacks one.
 */

export const ROLLUP_SHARDS = 8;

/** A filing's state fields, as its pointer has them. */
export type FilingMark = z.infer<typeof FilingMarkSchema>;

export type Counters = Record<string, number>;

/** The unit as the rollups see it. */
export type RolledUnit = Pick<
  UnitRecord,
  'code' | 'type' | 'district' | 'withdrawnAt' | 'moved' | 'tally'
> & {
  marks?: Record<string, FilingMark> | undefined;
};

/** The mark of a filing, from its pointer (after the write that changes it). */
export function markOf(pointer: SubmissionPointer): FilingMark {
  const { currentVersion, firstReceivedAt, currentReceivedAt, firstOnTime, review } = pointer;
  return { currentVersion, firstReceivedAt, currentReceivedAt, firstOnTime, ...(review ? { review } : {}) };
}

/** The pointer a mark stands for. */
export function pointerOfMark(
  unit: Pick<UnitRecord, 'code' | 'district'>,
  deliverableId: string,
  mark: FilingMark,
): SubmissionPointer {
  return { unitCode: unit.code, district: unit.district, deliverableId, ...mark };
}

/** The unit's filings, rebuilt from its marks, by deliverable (`UnitInputs['pointers']`). */
export function pointersOfMarks(unit: RolledUnit): Map<string, SubmissionPointer> {
  return new Map(Object.entries(unit.marks ?? {}).map(([d, mark]) => [d, pointerOfMark(unit, d, mark)]));
}

/** Whether the unit counts in its district's figures at all: active, and not the city office. */
export function isCounted(unit: Pick<UnitRecord, 'type' | 'withdrawnAt'>): boolean {
  return !unit.withdrawnAt && unit.type !== 'city-office';
}

/** The rollup item a unit's part is added to: its district and the shard of its code. */
export function rollupKeyOf(unit: Pick<UnitRecord, 'code' | 'district'>): string {
  let hash = 0;
  for (const char of unit.code) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return `${unit.district ?? 'CITY'}#${hash % ROLLUP_SHARDS}`;
}

/** What one unit adds to its district's rollup (nothing when it is not counted). */
export function unitContribution(campaign: Campaign, unit: RolledUnit): Counters {
  if (!isCounted(unit)) return {};
  const counters: Counters = { [`n#${unit.type}`]: 1, ...(unit.moved ? { mv: 1 } : {}) };
  addTally(counters, filingCounters(campaign, unit));
  addTally(counters, unit.tally ?? {});
  return counters;
}

/** The filing part of a unit's contribution. */
export function filingCounters(campaign: Campaign, unit: RolledUnit): Counters {
  const counters: Counters = {};
  for (const { deliverable: d, mark, state } of markedStates(campaign, unit)) {
    if (!mark || !state) continue;
    const kind =
      state.kind === 'filed-on-time' ? 'on-time' : state.kind === 'filed-late' ? 'late' : 'sent-back';
    addTally(counters, { [`f#${d.id}#${kind}`]: 1 });
    if (!isFiledState(state)) continue;
    if (state.accepted) addTally(counters, { [`f#${d.id}#accepted`]: 1 });
    addTally(counters, {
      [`s#${d.id}#${localDateOf(new Date(mark.firstReceivedAt), campaign.timeZone)}`]: 1,
    });
  }
  return counters;
}

/**
 * Each deliverable the unit owes, with its mark and the state the mark stands for (null when
 * not filed). A filed pointer's state does not depend on the day it is judged on.
 */
function markedStates(campaign: Campaign, unit: RolledUnit) {
  return deliverablesOf(campaign, unit).map((deliverable) => {
    const mark = unit.marks?.[deliverable.id];
    const pointer = mark ? pointerOfMark(unit, deliverable.id, mark) : null;
    const state = pointer
      ? deliverableStateOn(deliverable, pointer, deliverable.dueDate, campaign.timeZone)
      : null;
    return { deliverable, mark, state };
  });
}

/** `after − before`, counter by counter, zeros dropped. */
export function counterDiff(after: Counters, before: Counters): Counters {
  return addTally({ ...after }, before, -1);
}

/**
 * Where the unit stands in the matrix's default order (most days behind first), in two parts
 * that do not depend on the day, so they can be index keys:
 * - `owedSince`: the earliest due date among the deliverables it owes (not filed, or sent back);
 *   on day `t` that is `t − owedSince` days behind, once past;
 * - `lateDays`: the most days late of its filings that stand (filed late, not sent back).
 * On day `t` the unit is `max(lateDays, t − owedSince, 0)` days behind (`laggingDays`), which is
 * `lateness` in `dashboard.ts`.
 */
export interface LagParts {
  owedSince: LocalDate | null;
  lateDays: number;
}

export function lagParts(campaign: Campaign, unit: RolledUnit): LagParts {
  let owedSince: LocalDate | null = null;
  let lateDays = 0;
  for (const { deliverable: d, state } of markedStates(campaign, unit)) {
    if (state === null || state.kind === 'sent-back') {
      if (owedSince === null || d.dueDate < owedSince) owedSince = d.dueDate;
    } else if (state.kind === 'filed-late') lateDays = Math.max(lateDays, state.days);
  }
  return { owedSince, lateDays };
}

/** Days behind on `today` for what is owed since `owedSince` (0 before it is past). */
export function owedDays(owedSince: LocalDate | null, today: LocalDate): number {
  return owedSince === null ? 0 : Math.max(0, daysBetween(owedSince, today));
}

/** The summed counters of several rollup items (a scope's). */
export function sumCounters(items: readonly Counters[]): Counters {
  const sum: Counters = {};
  for (const item of items) addTally(sum, item);
  return sum;
}

/** The hazard tally inside a rollup's counters. */
export function rollupTally(counters: Counters): HazardTally {
  return Object.fromEntries(Object.entries(counters).filter(([name]) => isTallyCounter(name)));
}

/** The campaign's rules for what a unit adds to its district's rollup (`rollupRules` in `rollup.ts`). */
export interface RollupRules {
  contribution(unit: RolledUnit): Counters;
  lag(unit: RolledUnit): LagParts | null;
}

/**
 * How a filing or a decision moves its unit's profile (`filingProfileChange`): the deliverable's
 * new mark, where the unit now stands in the lag indexes, and what its district's rollup gains.
 * Computed from the unit as read, so the write is conditioned on the profile's `markRev` and
 * `rollupKey` being still what they were.
 */
export interface ProfileChange {
  unit: Pick<UnitRecord, 'code' | 'district' | 'markRev' | 'rollupKey'>;
  deliverableId: string;
  mark: FilingMark;
  lag: LagParts | null;
  delta: Counters;
}

/** The campaign's rollup rules, as the units repository applies them to a roster change. */
export function rollupRules(campaign: Campaign): RollupRules {
  return {
    contribution: (unit) => unitContribution(campaign, unit),
    lag: (unit) => (isCounted(unit) ? lagParts(campaign, unit) : null),
  };
}

/**
 * How a filing or decision that leaves the deliverable's pointer as `after` moves the unit's
 * profile, from the unit as read: its new mark, lag parts, and its rollup's change (none for a
 * unit from before the rollups).
 */
export function filingProfileChange(
  campaign: Campaign,
  unit: UnitRecord,
  after: SubmissionPointer,
): ProfileChange {
  const mark = markOf(after);
  const next: UnitRecord = { ...unit, marks: { ...unit.marks, [after.deliverableId]: mark } };
  const rules = rollupRules(campaign);
  return {
    unit,
    deliverableId: after.deliverableId,
    mark,
    lag: rules.lag(next),
    delta:
      unit.rollupKey === undefined ? {} : counterDiff(rules.contribution(next), rules.contribution(unit)),
  };
}

/** The deliverable's pointer once `version` is filed over `pointer` (null: the first filing). */
export function pointerAfterFiling(
  pointer: SubmissionPointer | null,
  version: Pick<SubmissionVersion, 'unitCode' | 'deliverableId' | 'version' | 'receivedAt' | 'onTime'>,
  district: string | null,
): SubmissionPointer {
  return {
    unitCode: version.unitCode,
    district,
    deliverableId: version.deliverableId,
    currentVersion: version.version,
    firstReceivedAt: pointer?.firstReceivedAt ?? version.receivedAt,
    currentReceivedAt: version.receivedAt,
    firstOnTime: pointer?.firstOnTime ?? version.onTime,
    ...(pointer?.review ? { review: pointer.review } : {}),
  };
}
