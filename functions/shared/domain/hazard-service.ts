import type { Campaign } from '../../../schemas/campaign.ts';
import { HazardReportSchema } from '../../../schemas/hazards.ts';
import { LocalDateSchema } from '../../../schemas/primitives.ts';
import type { HazardHistoryEntry, HazardRecord, UnitRecord } from '../../../schemas/records.ts';
import { parseWith } from '../../../schemas/validation.ts';
import type { AuditLog, HazardRepository, UnitRepository, ZeroReportRepository } from '../ports.ts';
import { localDateOf } from './calendar.ts';
import type { Clock } from './clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors.ts';
import { applyHazardAction, createHazard, type HazardAction, type HazardActor } from './hazard-lifecycle.ts';
import { allPages } from './pages.ts';

export interface HazardServiceDeps {
  campaign: Campaign;
  clock: Clock;
  hazards: HazardRepository;
  units: UnitRepository;
  zeroReports: ZeroReportRepository;
  audit: AuditLog;
}

const NO_SUCH_HAZARD = { zh: '没有这条隐患记录', en: 'No such hazard' };
const CREATE_RETRIES = 3;

/**
 * The unit that supervises `unit`'s major hazards: a school's district bureau; the city safety
 * office for directly affiliated units, for the bureaus themselves, and for a school whose bureau
 * was withdrawn from the roster.
 */
export async function supervisorFor(unit: UnitRecord, units: UnitRepository): Promise<string> {
  const find = async (district: string | null, type: UnitRecord['type']) =>
    (await allPages((page) => units.list({ district }, page), 500)).find(
      (u) => u.type === type && !u.withdrawnAt,
    );
  const supervisor =
    (unit.type === 'school' ? await find(unit.district, 'district-bureau') : undefined) ??
    (await find(null, 'city-office'));
  if (!supervisor) throw new Error(`the roster has no city office to supervise ${unit.code}`);
  return supervisor.code;
}

/** The city office supervises; it does not report hazards of its own (it would supervise itself). */
export function assertMayReport(unit: UnitRecord): void {
  if (unit.type === 'city-office') {
    throw new ForbiddenError({
      zh: '市教育局安稳处负责督办，不上报隐患',
      en: 'the city safety office supervises; it does not report hazards',
    });
  }
}

/** Records a school's report: validated, numbered `<unit>-H<nnn>`, listed for supervision if major. */
export async function reportHazard(
  deps: HazardServiceDeps,
  unit: UnitRecord,
  input: unknown,
): Promise<HazardRecord> {
  assertMayReport(unit);
  const parsed = parseWith(HazardReportSchema, input);
  if (!parsed.ok) throw new ValidationError(parsed.issues);
  const supervisorUnit = parsed.value.level === 'major' ? await supervisorFor(unit, deps.units) : null;
  for (let attempt = 1; ; attempt += 1) {
    const current = (await deps.units.get(unit.code)) ?? unit;
    const seq = current.hazardSeq + 1;
    const change = createHazard({
      campaign: deps.campaign,
      unit: current,
      report: parsed.value,
      supervisorUnit,
      seq,
      now: deps.clock.now(),
    });
    try {
      await deps.hazards.create(change.hazard, change.entry, change.delta, seq);
      // A hazard found after all withdraws the unit's zero report; the record of it stays. The
      // hazard is stored already, so a failure here must not tell the school to report it again.
      await deps.zeroReports.withdraw(unit.code, deps.clock.now(), change.hazard.id).catch(() => undefined);
      return change.hazard;
    } catch (error) {
      // Another report of the same unit took the number; take the next one.
      if (!(error instanceof ConflictError) || attempt >= CREATE_RETRIES) throw error;
    }
  }
}

/**
 * The hazard as `viewer` may see it: its reporting unit, or its supervising unit. Anyone else
 * gets the same "no such hazard" as for one that does not exist.
 */
export async function hazardForViewer(
  deps: HazardServiceDeps,
  viewer: UnitRecord,
  unitCode: string,
  id: string,
): Promise<{ hazard: HazardRecord; actor: HazardActor }> {
  const hazard = await deps.hazards.get(unitCode, id);
  if (!hazard) throw new NotFoundError(NO_SUCH_HAZARD);
  if (hazard.unitCode === viewer.code) return { hazard, actor: { unitCode: viewer.code, role: 'owner' } };
  if (hazard.supervision?.supervisorUnit === viewer.code) {
    return { hazard, actor: { unitCode: viewer.code, role: 'supervisor' } };
  }
  throw new NotFoundError(NO_SUCH_HAZARD);
}

export async function actOnHazard(
  deps: HazardServiceDeps,
  viewer: UnitRecord,
  unitCode: string,
  id: string,
  action: HazardAction,
): Promise<HazardRecord> {
  const { hazard, actor } = await hazardForViewer(deps, viewer, unitCode, id);
  const change = applyHazardAction(hazard, action, actor, { campaign: deps.campaign, now: deps.clock.now() });
  await deps.hazards.update(change.hazard, change.entry, change.delta);
  return change.hazard;
}

export function historyOf(deps: HazardServiceDeps, hazard: HazardRecord): Promise<HazardHistoryEntry[]> {
  return allPages((page) => deps.hazards.history(hazard.unitCode, hazard.id, page));
}

/** Open first, majors before generals, then newest first. */
export function byUrgency(a: HazardRecord, b: HazardRecord): number {
  const rank = (h: HazardRecord) => (h.status === 'closed' ? 2 : 0) + (h.level === 'major' ? 0 : 1);
  return rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt);
}

export async function hazardsOfUnit(deps: HazardServiceDeps, unit: UnitRecord): Promise<HazardRecord[]> {
  return (await allPages((page) => deps.hazards.listForUnit(unit.code, page))).sort(byUrgency);
}

/** The major hazards `supervisor` supervises, and nothing else: read from their own index. */
export async function supervisedHazards(
  deps: HazardServiceDeps,
  supervisor: UnitRecord,
): Promise<HazardRecord[]> {
  if (supervisor.type !== 'district-bureau' && supervisor.type !== 'city-office') return [];
  return (await allPages((page) => deps.hazards.supervisedBy(supervisor.code, page), 500)).sort(byUrgency);
}

/**
 * Records that the unit's self-check found no hazards, as of `checkedOn` (today or earlier).
 * Refused while the unit has an open hazard: that is not "no hazards".
 */
export async function confirmZeroReport(
  deps: HazardServiceDeps,
  unit: UnitRecord,
  checkedOn: string,
): Promise<void> {
  const now = deps.clock.now();
  const today = localDateOf(now, deps.campaign.timeZone);
  if (!LocalDateSchema.safeParse(checkedOn).success || checkedOn > today) {
    throw new ValidationError([
      {
        path: 'checkedOn',
        value: checkedOn,
        code: 'checked-on',
        zh: `请填写自查日期（不晚于今天 ${today}）`,
        en: `give the date of the self-check (today, ${today}, or earlier)`,
      },
    ]);
  }
  const open = (await hazardsOfUnit(deps, unit)).filter((h) => h.status !== 'closed');
  if (open.length > 0) {
    throw new ConflictError({
      zh: `本单位还有 ${open.length} 条未销号的隐患，不能提交零报告`,
      en: `this unit has ${open.length} hazard(s) not yet closed out; a zero report does not apply`,
    });
  }
  const at = now.toISOString();
  await deps.zeroReports.confirm({ unitCode: unit.code, checkedOn, confirmedAt: at }, unit.district);
  await deps.audit.append({
    at,
    actor: unit.code,
    action: 'zero-report',
    subject: unit.code,
    detail: { checkedOn },
  });
}

export async function withdrawZeroReport(deps: HazardServiceDeps, unit: UnitRecord): Promise<void> {
  const now = deps.clock.now();
  await deps.zeroReports.withdraw(unit.code, now);
  await deps.audit.append({
    at: now.toISOString(),
    actor: unit.code,
    action: 'zero-report-withdrawn',
    subject: unit.code,
    detail: {},
  });
}
