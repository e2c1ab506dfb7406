import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Campaign } from '../../../../schemas/campaign.ts';
import { hazardReportInputSchema, type ReportContext } from '../../../../schemas/hazards.ts';
import { LocalDateSchema } from '../../../../schemas/primitives.ts';
import type {
  HazardFormKey,
  HazardHistoryEntry,
  HazardRecord,
  OutboxItem,
  UnitRecord,
} from '../../../../schemas/records.ts';
import { parseWith } from '../../../../schemas/validation.ts';
import type { AuditLog, HazardRepository, UnitRepository, ZeroReportRepository } from '../../ports.ts';
import { localDateOf } from '../calendar/calendar.ts';
import type { Clock } from '../calendar/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { supervises } from '../links/supervision-scope.ts';
import { allPages } from '../pages.ts';
import {
  applyHazardAction,
  createHazard,
  type HazardAction,
  type HazardActor,
  isOpenHazard,
  listsForSupervision,
} from './hazard-lifecycle.ts';
import { noticesOwed } from './hazard-notices.ts';

export interface HazardServiceDeps {
  campaign: Campaign;
  clock: Clock;
  hazards: HazardRepository;
  units: UnitRepository;
  zeroReports: ZeroReportRepository;
  audit: AuditLog;
  /**
   * Sends the mails a change owes right after its commit (`deliverNotices`); they are in the
   * outbox already, so without it (or if it fails) the outbox sweep sends them.
   */
  notify?: (items: readonly OutboxItem[]) => Promise<void>;
}

const NO_SUCH_HAZARD = { zh: '没有这条隐患记录', en: 'No such hazard' };
const FormKeySchema = z.uuid();

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

/**
 * What new reports are checked against: today in the campaign's zone (from the injected clock),
 * and 1 January of the year before the campaign opened as the earliest plausible date found.
 */
export function reportContext(campaign: Campaign, now: Date): ReportContext {
  return {
    today: localDateOf(now, campaign.timeZone),
    earliest: `${Number(campaign.opensOn.slice(0, 4)) - 1}-01-01`,
  };
}

/** A fresh one-time key for a report form; the page renders one in every form it serves. */
export function newFormKey(): string {
  return randomUUID();
}

export function isFormKey(value: string): boolean {
  return FormKeySchema.safeParse(value).success;
}

const FORM_KEY_MISSING = {
  zh: '表单缺少一次性编号（formKey），可能来自旧页面；请在重新打开的表单中提交',
  en: 'the form lacks its one-time key (formKey), perhaps from an old page; submit the form as served again',
};

/**
 * The same form key sent with other content: the earlier submission stands; the page comes back
 * with what was typed and a new key, so submitting it again reports a second hazard on purpose.
 */
export class FormKeyUsedError extends ConflictError {
  constructor(readonly hazardId: string) {
    super({
      zh: `这份表单已用于上报隐患 ${hazardId}；如要再上报一条隐患，请检查下方内容后再次提交`,
      en: `this form was used already to report hazard ${hazardId}; to report another hazard, check the text below and submit again`,
    });
  }
}

/**
 * Records a school's report: validated, numbered `<unit>-H<nnn>`, listed for supervision if major.
 *
 * Exactly once per form: the form carries a one-time key (a UUID the server put in the page),
 * and the hazard's transaction stores the key with `attribute_not_exists`. A replay finds the key
 * and answers with the hazard the first request created; of two concurrent posts (a double
 * click) one transaction wins and the other finds the winner's key. Powertools' idempotency
 * utility would write an "in progress" record before the work and complete it after, with an
 * expiry for a holder that died; here the key and the hazard are one transaction, so there is
 * no in-progress window to expire. It would fit a handler of several steps; this is one write.
 *
 * The number is allocated first by one atomic counter update, then the hazard is written under
 * it: concurrent reports never contend for a number. A request that fails after the allocation
 * leaves that number unused: numbers may have gaps, never duplicates.
 */
export async function reportHazard(
  deps: HazardServiceDeps,
  unit: UnitRecord,
  input: unknown,
  formKey: string | undefined,
): Promise<HazardRecord> {
  assertMayReport(unit);
  const key = FormKeySchema.safeParse(formKey);
  const parsed = parseWith(hazardReportInputSchema(reportContext(deps.campaign, deps.clock.now())), input);
  const issues = [
    ...(key.success ? [] : [{ path: 'formKey', value: formKey, code: 'form-key', ...FORM_KEY_MISSING }]),
    ...(parsed.ok ? [] : parsed.issues),
  ];
  if (!key.success || !parsed.ok) throw new ValidationError(issues);
  const fingerprint = createHash('sha256').update(JSON.stringify(parsed.value)).digest('hex');
  const replay = async (earlier: HazardFormKey): Promise<HazardRecord> => {
    if (earlier.fingerprint !== fingerprint) throw new FormKeyUsedError(earlier.hazardId);
    const hazard = await deps.hazards.get(unit.code, earlier.hazardId);
    if (!hazard) throw new Error(`form key ${earlier.formKey} names ${earlier.hazardId}, which is missing`);
    return hazard;
  };
  const earlier = await deps.hazards.formKey(unit.code, key.data);
  if (earlier) return replay(earlier);

  const supervisorUnit = parsed.value.level === 'major' ? await supervisorFor(unit, deps.units) : null;
  const supervisor = supervisorUnit ? await deps.units.get(supervisorUnit) : null;
  const seq = await deps.units.reserveHazardSeq(unit.code, 1);
  const now = deps.clock.now();
  const change = createHazard({
    campaign: deps.campaign,
    unit,
    report: parsed.value,
    supervisorUnit,
    seq,
    now,
  });
  // The receipt, and the supervisor's notice of a major hazard: owed in the report's own transaction.
  const owed = noticesOwed({
    campaign: deps.campaign,
    before: null,
    after: change.hazard,
    unit,
    supervisor,
    now,
  });
  try {
    await deps.hazards.create(
      change.hazard,
      change.entry,
      change.delta,
      { formKey: key.data, fingerprint },
      owed,
    );
  } catch (error) {
    // Refused: another request with this key won (a double click); answer with its hazard.
    const winner = error instanceof ConflictError ? await deps.hazards.formKey(unit.code, key.data) : null;
    if (winner) return replay(winner);
    throw error;
  }
  // A hazard found after all withdraws the unit's zero report; the record of it stays. The
  // hazard is stored already, so a failure here must not tell the school to report it again.
  await deps.zeroReports.withdraw(unit.code, deps.clock.now(), change.hazard.id).catch(() => undefined);
  await deps.notify?.(owed).catch(() => undefined);
  return change.hazard;
}

/**
 * The hazard as `viewer` may see it: its reporting unit, or its supervising unit: the unit that
 * lists a major hazard for supervision, and for a general one the unit that would (its unit's
 * `supervisorFor`: a school's district bureau, else the city office), which may reclassify it.
 * Anyone else gets the same "no such hazard" as for one that does not exist.
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
  const supervisor = { hazard, actor: { unitCode: viewer.code, role: 'supervisor' as const } };
  if (hazard.supervision) {
    if (hazard.supervision.supervisorUnit === viewer.code) return supervisor;
  } else if (viewer.type === 'district-bureau' || viewer.type === 'city-office') {
    const owner = await deps.units.get(hazard.unitCode);
    if (owner && (await supervisorFor(owner, deps.units)) === viewer.code) return supervisor;
  }
  throw new NotFoundError(NO_SUCH_HAZARD);
}

/**
 * A supervisor's workspace opens a hazard of a unit in its scope (issue 13): the office reads any
 * unit's, a bureau its district's. `acts` says whether this body is the one that acts on it
 * (`hazardForViewer`'s supervisor); the view goes on the audit log, naming who looked. Out of
 * scope, unknown, withdrawn unit: the one 404.
 */
export async function viewScopedHazard(
  deps: HazardServiceDeps,
  viewer: { body: UnitRecord; actor: string },
  unitCode: string,
  id: string,
): Promise<{ hazard: HazardRecord; acts: boolean }> {
  const owner = await deps.units.get(unitCode);
  if (!owner || owner.withdrawnAt || !supervises(viewer.body, owner)) throw new NotFoundError(NO_SUCH_HAZARD);
  const hazard = await deps.hazards.get(unitCode, id);
  if (!hazard) throw new NotFoundError(NO_SUCH_HAZARD);
  const acts = await hazardForViewer(deps, viewer.body, unitCode, id).then(
    ({ actor }) => actor.role === 'supervisor',
    (error: unknown) => {
      if (error instanceof NotFoundError) return false;
      throw error;
    },
  );
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    actor: viewer.actor,
    action: 'supervisor-viewed-hazard',
    subject: unitCode,
    detail: { hazard: id },
  });
  return { hazard, acts };
}

const STALE_ACTION = (hazard: HazardRecord) =>
  new ConflictError({
    zh: `隐患 ${hazard.id} 在您打开页面后已有变化，请刷新页面查看后再办理`,
    en: `hazard ${hazard.id} changed after you opened the page; reload it and act again`,
  });

/**
 * Applies an action posted from the hazard page, exactly once. The page's form carries the
 * version it showed (`expectedVersion`); the write is conditional on the stored version, so of a
 * double click or a replay only one goes through. The other finds, among the changes since that
 * version, the same action by the same unit, and answers with the hazard as it is now, as the
 * first did. Photos added meanwhile (their uploads are recorded in the background) do not make
 * a form stale; any other change does, and is refused with a request to reload.
 */
export async function actOnHazard(
  deps: HazardServiceDeps,
  viewer: UnitRecord,
  unitCode: string,
  id: string,
  action: HazardAction,
  expectedVersion: number | undefined,
): Promise<HazardRecord> {
  if (expectedVersion === undefined || !Number.isSafeInteger(expectedVersion) || expectedVersion < 1) {
    throw new ValidationError([
      {
        path: 'version',
        value: expectedVersion,
        code: 'hazard-version',
        zh: '表单缺少隐患的版本号，可能来自旧页面；请刷新页面后再办理',
        en: 'the form lacks the hazard version, perhaps from an old page; reload it and act again',
      },
    ]);
  }
  for (let attempt = 1; ; attempt += 1) {
    const { hazard, actor } = await hazardForViewer(deps, viewer, unitCode, id);
    if (hazard.version !== expectedVersion) {
      const since = (await historyOf(deps, hazard)).filter((e) => e.seq > expectedVersion);
      const done = since.some((e) => e.action === action.kind && e.byUnit === actor.unitCode);
      if (done) return hazard;
      if (hazard.version < expectedVersion || since.some((e) => e.action !== 'add-photo')) {
        throw STALE_ACTION(hazard);
      }
    }
    // An edit or reclassification that makes it major lists it under its unit's supervisor,
    // who is owed a notice, written in the change's own transaction.
    const owner = listsForSupervision(hazard, action) ? await deps.units.get(hazard.unitCode) : null;
    const supervisorUnit = owner ? await supervisorFor(owner, deps.units) : null;
    const supervisor = supervisorUnit ? await deps.units.get(supervisorUnit) : null;
    const now = deps.clock.now();
    const change = applyHazardAction(hazard, action, actor, {
      campaign: deps.campaign,
      now,
      ...(supervisorUnit ? { supervisorUnit } : {}),
    });
    const owed = owner
      ? noticesOwed({
          campaign: deps.campaign,
          before: hazard,
          after: change.hazard,
          unit: owner,
          supervisor,
          now,
        })
      : [];
    try {
      await deps.hazards.update(change.hazard, change.entry, change.delta, owed);
      await deps.notify?.(owed).catch(() => undefined);
      return change.hazard;
    } catch (error) {
      // Lost to a concurrent change: read again and judge it as above (at most a few photos race).
      if (!(error instanceof ConflictError) || attempt >= 3) throw error;
    }
  }
}

/**
 * The reporting unit's correction of its report: the form's fields checked as a new report's
 * (`hazardReportInputSchema`, today from the clock), then applied as an `edit` with the version
 * the edit page showed, exactly once as any action.
 */
export async function editHazard(
  deps: HazardServiceDeps,
  viewer: UnitRecord,
  unitCode: string,
  id: string,
  input: unknown,
  expectedVersion: number | undefined,
): Promise<HazardRecord> {
  const parsed = parseWith(hazardReportInputSchema(reportContext(deps.campaign, deps.clock.now())), input);
  if (!parsed.ok) throw new ValidationError(parsed.issues);
  return actOnHazard(deps, viewer, unitCode, id, { kind: 'edit', report: parsed.value }, expectedVersion);
}

export function historyOf(deps: HazardServiceDeps, hazard: HazardRecord): Promise<HazardHistoryEntry[]> {
  return allPages((page) => deps.hazards.history(hazard.unitCode, hazard.id, page));
}

/** Open first, then closed out, then withdrawn; majors before generals; then newest first. */
export function byUrgency(a: HazardRecord, b: HazardRecord): number {
  const done = (h: HazardRecord) => (h.status === 'withdrawn' ? 4 : h.status === 'closed' ? 2 : 0);
  const rank = (h: HazardRecord) => done(h) + (h.level === 'major' ? 0 : 1);
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
  const open = (await hazardsOfUnit(deps, unit)).filter(isOpenHazard);
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
