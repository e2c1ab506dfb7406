import type { Campaign } from '../../../../schemas/campaign.ts';
import type { SubmissionRepository, UnitRepository } from '../../ports.ts';
import { ConflictError } from '../errors.ts';
import { type FilingMark, isCounted, markOf, rollupRules } from './rollup.ts';

/** How often an admission that raced with a change of the unit is tried again. */
const ADMISSION_ATTEMPTS = 5;

/**
 * Puts a unit from a table older than the rollups into its district's rollup (`rollup.ts`), as
 * `campaign load` does for each such unit once its tally is complete. The unit is read first and
 * its filings after; the write holds only if no filing, decision, hazard change or roster change
 * moved the unit meanwhile (`markRev`, `tallyRev`), so nothing filed during the admission is lost
 * or counted twice. Returns false when there is no such unit, it is in a rollup already, it is not
 * counted (withdrawn, the city office), or its tally is not complete yet.
 */
export async function admitToRollups(
  code: string,
  deps: {
    campaign: Campaign;
    units: Pick<UnitRepository, 'get' | 'admitToRollup'>;
    submissions: Pick<SubmissionRepository, 'pointer'>;
  },
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const unit = await deps.units.get(code);
    if (!unit || unit.rollupKey !== undefined || !unit.tallied || !isCounted(unit)) return false;
    const marks: Record<string, FilingMark> = {};
    for (const deliverable of deps.campaign.deliverables) {
      const pointer = await deps.submissions.pointer(code, deliverable.id);
      if (pointer) marks[deliverable.id] = markOf(pointer);
    }
    try {
      await deps.units.admitToRollup({ ...unit, marks }, rollupRules(deps.campaign));
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ADMISSION_ATTEMPTS) throw error;
    }
  }
}
