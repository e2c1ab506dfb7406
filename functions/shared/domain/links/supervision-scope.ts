import type { SubmissionVersion, UnitRecord } from '../../../../schemas/records.ts';
import { UNIT_CODE_PATTERN } from '../../../../schemas/roster.ts';
import type { AuditLog, SubmissionRepository, UnitRepository } from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { NotFoundError } from '../errors.ts';
import type { SupervisorIdentity } from './sessions.ts';

/**
 * Who may open what another unit filed (issue 13). The city safety office supervises every unit;
 * a district bureau supervises the units of its own district (its schools, as `supervisorFor`
 * makes it the supervisor of their major hazards); a school or a directly affiliated unit
 * supervises nobody. No unit supervises itself: its own filings are on its own page.
 */
export function supervises(
  viewer: Pick<UnitRecord, 'code' | 'type' | 'district'>,
  unit: Pick<UnitRecord, 'code' | 'district' | 'withdrawnAt'>,
): boolean {
  if (viewer.code === unit.code || unit.withdrawnAt) return false;
  if (viewer.type === 'city-office') return true;
  return viewer.type === 'district-bureau' && viewer.district !== null && unit.district === viewer.district;
}

/** One answer for a unit out of scope, withdrawn or unknown: the page does not tell which. */
const NO_SUCH_UNIT = { zh: '没有这个单位，或不在您的督查范围内', en: 'No such unit in your scope' };
const NO_SUCH_VERSION = { zh: '没有这个文件版本', en: 'No such version of the file' };

/** The unit `code` names, if `viewer` supervises it; otherwise `NotFoundError`, whatever the reason. */
export async function supervisedUnit(
  deps: { units: Pick<UnitRepository, 'get'> },
  viewer: UnitRecord,
  code: string,
): Promise<UnitRecord> {
  const unit = UNIT_CODE_PATTERN.test(code) ? await deps.units.get(code) : null;
  if (!unit || !supervises(viewer, unit)) throw new NotFoundError(NO_SUCH_UNIT);
  return unit;
}

export interface SupervisionDeps {
  clock: Clock;
  units: Pick<UnitRepository, 'get'>;
  submissions: Pick<SubmissionRepository, 'version'>;
  audit: Pick<AuditLog, 'append'>;
}

/** A supervisor opens a unit's page: the unit, once the view is on the audit log (naming who looked). */
export async function viewSupervisedUnit(
  deps: SupervisionDeps,
  viewer: Pick<SupervisorIdentity, 'body' | 'actor'>,
  code: string,
): Promise<UnitRecord> {
  const unit = await supervisedUnit(deps, viewer.body, code);
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    actor: viewer.actor,
    action: 'supervisor-viewed-unit',
    subject: unit.code,
    detail: {},
  });
  return unit;
}

/**
 * A supervisor opens one filed version: the version, once the open is on the audit log. A version
 * that does not exist gets a 404 of its own; the unit's existence is already known to the viewer.
 */
export async function openSupervisedVersion(
  deps: SupervisionDeps,
  viewer: Pick<SupervisorIdentity, 'body' | 'actor'>,
  code: string,
  deliverableId: string,
  version: string,
): Promise<SubmissionVersion> {
  const unit = await supervisedUnit(deps, viewer.body, code);
  const found = /^\d{1,9}$/.test(version)
    ? await deps.submissions.version(unit.code, deliverableId, Number(version))
    : null;
  if (!found) throw new NotFoundError(NO_SUCH_VERSION);
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    actor: viewer.actor,
    action: 'supervisor-opened-file',
    subject: unit.code,
    detail: { deliverable: found.deliverableId, version: found.version },
  });
  return found;
}
