import type { Campaign } from '../../../../schemas/campaign.ts';
import type { SubmissionVersion } from '../../../../schemas/records.ts';
import type { SubmissionRepository, UnitRepository } from '../../ports.ts';
import { NotFoundError } from '../errors.ts';
import { filingProfileChange, pointerAfterFiling } from '../report/rollup.ts';

/**
 * Files `version` (the next number) of a unit's deliverable without an upload: the pointer and the
 * unit's profile (marks, lag keys, rollup) move in one transaction, as an upload's filing does
 * (`receive-upload.ts`). For imports of filings made elsewhere, and for tests that set a campaign up.
 */
export async function addFiledVersion(
  deps: {
    campaign: Campaign;
    units: Pick<UnitRepository, 'get'>;
    submissions: Pick<SubmissionRepository, 'pointer' | 'addVersion'>;
  },
  version: SubmissionVersion,
): Promise<void> {
  const unit = await deps.units.get(version.unitCode);
  if (!unit)
    throw new NotFoundError({ zh: `没有单位 ${version.unitCode}`, en: `no unit ${version.unitCode}` });
  const pointer = await deps.submissions.pointer(version.unitCode, version.deliverableId);
  const after = pointerAfterFiling(pointer, version, unit.district);
  await deps.submissions.addVersion(version, unit.district, filingProfileChange(deps.campaign, unit, after));
}
