import type { HazardImportRepository, HazardRepository, UnitRepository } from '../../ports.ts';
import { ConflictError } from '../errors.ts';
import { eachItem } from '../pages.ts';
import { hazardTally } from './hazard-lifecycle.ts';
import { addTally, type HazardTally } from './hazard-tally.ts';

/** How often a recount that raced with a hazard change is tried again. */
const RECOUNT_ATTEMPTS = 5;

/**
 * Counts a unit's tally from its hazards and stores it, marking the unit `tallied`: for a unit
 * whose hazards were filed before tallies existed (a table from an earlier version). The unit is
 * read first and its hazards after, consistently; the write holds only if no hazard change moved
 * the tally meanwhile, so a report filed during the recount is never lost or counted twice.
 * Returns false when there is no such unit, it was tallied already, or an import of it is in
 * progress.
 */
export async function recountTally(
  code: string,
  deps: {
    units: Pick<UnitRepository, 'get' | 'replaceTally'>;
    hazards: Pick<HazardRepository, 'listForUnit'>;
    imports: Pick<HazardImportRepository, 'list'>;
  },
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const unit = await deps.units.get(code);
    if (!unit || unit.tallied) return false;
    // An import in progress has stored hazards its completion has not counted yet (it counts the
    // whole file at once): left untallied, the unit is recounted at the next load.
    if ((await deps.imports.list(code)).some((i) => i.status === 'importing')) return false;
    const tally: HazardTally = {};
    for await (const hazard of eachItem((page) => deps.hazards.listForUnit(code, page), 1000))
      addTally(tally, hazardTally(hazard));
    try {
      await deps.units.replaceTally(unit, tally);
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= RECOUNT_ATTEMPTS) throw error;
    }
  }
}
