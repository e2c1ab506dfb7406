import type { Campaign, HazardAreaId } from '../../../../schemas/campaign.ts';
import { isOnTime, type LocalDate } from '../calendar/calendar.ts';

/**
 * A unit's hazards as counts (its "tally"), kept on the unit's profile and moved in the same
 * transaction as every hazard change, so that the supervisors' dashboard counts hazards without
 * reading them (issue 13's scale: 400,000 hazards are never read to draw a page).
 *
 * A tally maps counter names to counts; a hazard adds 1 to each counter it belongs to:
 * - `h#<area>#<level>#open` or `…#closed`: the ledger's counts by area and level (a withdrawn report is in none);
 * - `od#<date>`: an open major hazard under listed supervision, by its supervision deadline, so
 *   that "overdue" is decided when the page is drawn, at its own instant;
 * - `mf`: an open hazard that needs the five implementations and lacks them;
 * - `aa`: a hazard awaiting acceptance.
 *
 * A hazard's part is `hazardTally` (`hazard-lifecycle.ts`), on the predicates `passHazards` uses
 * (`hazard-pass.ts`); the tests hold the two equal for every kind of change.
 */
export type HazardTally = Record<string, number>;

export const TALLY_PREFIXES = ['h#', 'od#', 'mf', 'aa'] as const;

/** Whether an attribute of the unit's profile is a tally counter. */
export function isTallyCounter(name: string): boolean {
  return TALLY_PREFIXES.some((prefix) => name === prefix || name.startsWith(prefix));
}

/** Adds `more` to `into` (in place) and returns it; counters that reach 0 are dropped. */
export function addTally(into: HazardTally, more: HazardTally, by = 1): HazardTally {
  for (const [name, n] of Object.entries(more)) {
    const sum = (into[name] ?? 0) + n * by;
    if (sum === 0) delete into[name];
    else into[name] = sum;
  }
  return into;
}

/** A unit's hazard figures at one instant, read from its tally. */
export interface TallyFigures {
  open: { general: number; major: number };
  /** Open major hazards past their supervision deadline at the instant (`isOverdueMajor`). */
  overdueMajors: number;
  /** The earliest deadline among them. */
  overdueMajorsSince: LocalDate | null;
  missingFive: number;
  awaitingAcceptance: number;
}

export function tallyFigures(tally: HazardTally, at: Date, timeZone: string): TallyFigures {
  const figures: TallyFigures = {
    open: { general: 0, major: 0 },
    overdueMajors: 0,
    overdueMajorsSince: null,
    missingFive: tally.mf ?? 0,
    awaitingAcceptance: tally.aa ?? 0,
  };
  for (const [name, n] of Object.entries(tally)) {
    if (name.startsWith('h#') && name.endsWith('#open')) {
      const level = name.split('#')[2];
      if (level === 'general' || level === 'major') figures.open[level] += n;
    } else if (name.startsWith('od#') && n > 0) {
      const deadline = name.slice(3) as LocalDate;
      if (isOnTime(at, deadline, timeZone)) continue;
      figures.overdueMajors += n;
      if (figures.overdueMajorsSince === null || deadline < figures.overdueMajorsSince)
        figures.overdueMajorsSince = deadline;
    }
  }
  return figures;
}

/** How many hazards a tally counts in the ledger, and how many of them are open. */
export function tallyLedgerCounts(tally: HazardTally): { ledgerCount: number; openCount: number } {
  let ledgerCount = 0;
  let openCount = 0;
  for (const [name, n] of Object.entries(tally)) {
    if (!name.startsWith('h#')) continue;
    ledgerCount += n;
    if (name.endsWith('#open')) openCount += n;
  }
  return { ledgerCount, openCount };
}

/** Counts by area and level, open and closed, of one tally (or a scope's summed tallies). */
export function tallyAreaCounts(
  campaign: Campaign,
  tally: HazardTally,
): {
  area: HazardAreaId;
  open: { general: number; major: number };
  closed: { general: number; major: number };
}[] {
  return campaign.hazardDrive.areas.map((area) => {
    const count = (level: string, state: string) => tally[`h#${area.id}#${level}#${state}`] ?? 0;
    return {
      area: area.id,
      open: { general: count('general', 'open'), major: count('major', 'open') },
      closed: { general: count('general', 'closed'), major: count('major', 'closed') },
    };
  });
}
