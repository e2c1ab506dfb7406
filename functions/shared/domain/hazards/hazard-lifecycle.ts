import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardReport, Supervision } from '../../../../schemas/hazards.ts';
import type {
  HazardHistoryEntry,
  HazardPhoto,
  HazardRecord,
  UnitRecord,
} from '../../../../schemas/records.ts';
import type { Bilingual } from '../../../../schemas/validation.ts';
import type { CounterDelta } from '../../ports.ts';
import { isOnTime, type LocalDate, localDateOf } from '../calendar/calendar.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.ts';
import { addTally, type HazardTally } from './hazard-tally.ts';

/**
 * The closed loop of a hazard (检查、整改、销号), as a state machine over plain records:
 * registered → rectifying → awaiting acceptance → closed out; a refused acceptance goes back to
 * rectifying (继续挂账); a fix on the spot is closed out at once. While only registered, the
 * reporting unit may edit its report or withdraw it (withdrawn: terminal, open nowhere); the
 * supervisor may reclassify an open hazard's level or area, which lists or delists it for
 * supervision. Every change yields the next record, one append-only history entry and the change
 * to the unit's open-hazard counters.
 */
export type HazardStatus = HazardRecord['status'];

export const STATUS_LABELS: Record<HazardStatus, Bilingual> = {
  registered: { zh: '已登记', en: 'registered' },
  rectifying: { zh: '整改中', en: 'being rectified' },
  'awaiting-acceptance': { zh: '待验收', en: 'awaiting acceptance' },
  closed: { zh: '已销号', en: 'closed out' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
};

/** Open: on the books, counted and listed; closed out and withdrawn hazards are not. */
export function isOpenHazard(hazard: Pick<HazardRecord, 'status'>): boolean {
  return hazard.status !== 'closed' && hazard.status !== 'withdrawn';
}

/** Who acts: the unit that reported the hazard, or the unit that supervises it. */
export interface HazardActor {
  unitCode: string;
  role: 'owner' | 'supervisor';
}

export type HazardAction =
  | { kind: 'start-rectifying' }
  | { kind: 'submit-for-acceptance'; note: string }
  | { kind: 'accept'; note?: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'request-extension'; reason: string; newDeadline: LocalDate }
  | { kind: 'decide-extension'; grant: boolean; note?: string }
  | { kind: 'add-photo'; photo: HazardPhoto }
  /** The reporting unit corrects its report (validated as a new one) while it is only registered. */
  | { kind: 'edit'; report: HazardReport }
  /** The reporting unit withdraws its report while it is only registered. */
  | { kind: 'withdraw'; reason: string }
  /** The supervisor changes the level or the area of an open hazard. */
  | { kind: 'reclassify'; level: HazardRecord['level']; area: HazardRecord['area']; reason: string };

export const ACTION_LABELS: Record<HazardAction['kind'] | 'report' | 'import', Bilingual> = {
  report: { zh: '登记隐患', en: 'report' },
  import: { zh: '批量导入', en: 'imported from a workbook' },
  'start-rectifying': { zh: '开始整改', en: 'start rectifying' },
  'submit-for-acceptance': { zh: '申请验收', en: 'ask for acceptance' },
  accept: { zh: '验收通过（销号）', en: 'accept (close out)' },
  refuse: { zh: '验收不通过（继续挂账）', en: 'refuse acceptance (stays on the books)' },
  'request-extension': { zh: '申请延期', en: 'request an extension' },
  'decide-extension': { zh: '延期审批', en: 'decide on an extension' },
  'add-photo': { zh: '添加照片', en: 'add a photo' },
  edit: { zh: '修改上报内容', en: 'edit the report' },
  withdraw: { zh: '撤回上报', en: 'withdraw the report' },
  reclassify: { zh: '调整等级或类别', en: 'reclassify' },
};

export interface HazardChange {
  hazard: HazardRecord;
  entry: HazardHistoryEntry;
  delta: CounterDelta;
}

const openCounter = (level: HazardRecord['level']): 'openGeneral' | 'openMajor' =>
  level === 'major' ? 'openMajor' : 'openGeneral';

/** True once the hazard drive has closed: changes are still allowed, but marked. */
export function isAfterDriveClose(campaign: Campaign, at: Date): boolean {
  return !isOnTime(at, campaign.hazardDrive.closesOn, campaign.timeZone);
}

/** The five implementations are in place: all five, the plan as text or as an attached document. */
export function hasFiveImplementations(hazard: HazardRecord): boolean {
  const five = hazard.report.five;
  return (
    five !== undefined && (five.contingency !== undefined || hazard.photos.some((p) => p.kind === 'plan'))
  );
}

/** The rectification deadline: the supervision deadline of a major hazard, else the five implementations'. */
export function hazardDeadline(hazard: HazardRecord): LocalDate | null {
  return hazard.supervision?.deadline ?? hazard.report.five?.deadline ?? null;
}

/** A major hazard still open after the end of its supervision deadline is overdue (督办逾期). */
export function isOverdueMajor(hazard: HazardRecord, now: Date, timeZone: string): boolean {
  if (hazard.level !== 'major' || !isOpenHazard(hazard) || !hazard.supervision) return false;
  return !isOnTime(now, hazard.supervision.deadline, timeZone);
}

export function hazardId(unitCode: string, seq: number): string {
  return `${unitCode}-H${String(seq).padStart(3, '0')}`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What changed between two values, as dotted field paths with the old and the new value: objects
 * present on both sides are compared field by field (an edit names `report.location`, not the
 * whole report); anything else, arrays included, is compared whole.
 */
function diff(from: unknown, to: unknown, path: string, out: HazardHistoryEntry['changes']): void {
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const key of new Set([...Object.keys(from), ...Object.keys(to)]))
      diff(from[key], to[key], path ? `${path}.${key}` : key, out);
  } else if (JSON.stringify(from) !== JSON.stringify(to)) {
    out.push({ field: path, from: from ?? null, to: to ?? null });
  }
}

/** What changed between two records, field by field, for the history (a new record: each top-level field). */
function changesBetween(before: HazardRecord | null, after: HazardRecord): HazardHistoryEntry['changes'] {
  const ignored = new Set(['version', 'updatedAt']);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const changes: HazardHistoryEntry['changes'] = [];
  for (const key of keys) {
    if (ignored.has(key)) continue;
    const from = before ? (before as Record<string, unknown>)[key] : undefined;
    const to = (after as Record<string, unknown>)[key];
    if (before) diff(from, to, key, changes);
    else if (JSON.stringify(from) !== JSON.stringify(to))
      changes.push({ field: key, from: from ?? null, to: to ?? null });
  }
  return changes;
}

/** What one hazard adds to its unit's tally (`hazard-tally.ts`), on the predicates of `passHazards`. */
export function hazardTally(hazard: HazardRecord): HazardTally {
  if (hazard.status === 'withdrawn') return {};
  const open = isOpenHazard(hazard);
  const tally: HazardTally = { [`h#${hazard.area}#${hazard.level}#${open ? 'open' : 'closed'}`]: 1 };
  if (!open) return tally;
  if (hazard.level === 'major' && hazard.supervision) tally[`od#${hazard.supervision.deadline}`] = 1;
  if ((!hazard.report.fixedOnSpot || hazard.level === 'major') && !hasFiveImplementations(hazard))
    tally.mf = 1;
  if (hazard.status === 'awaiting-acceptance') tally.aa = 1;
  return tally;
}

/**
 * How the unit's counters move from `before` (null: a new hazard) to `after`: each counts once at
 * its level while open, and the tally moves by the difference of the two hazards' parts.
 */
export function counterDelta(before: HazardRecord | null, after: HazardRecord): CounterDelta {
  const delta: Record<string, number> = {};
  const add = (hazard: HazardRecord, by: number) => {
    if (!isOpenHazard(hazard)) return;
    const counter = openCounter(hazard.level);
    delta[counter] = (delta[counter] ?? 0) + by;
  };
  if (before) add(before, -1);
  add(after, 1);
  const tally = addTally({}, hazardTally(after));
  if (before) addTally(tally, hazardTally(before), -1);
  return {
    ...Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0)),
    ...(Object.keys(tally).length > 0 ? { tally } : {}),
  };
}

/** Listed supervision from today, as a new major report gets it: deadline the five implementations'. */
function listing(supervisorUnit: string, deadline: LocalDate, today: LocalDate): Supervision {
  return { supervisorUnit, listedOn: today, deadline, extensions: [] };
}

function entryFor(
  before: HazardRecord | null,
  after: HazardRecord,
  action: HazardAction['kind'] | 'report',
  byUnit: string,
  campaign: Campaign,
  now: Date,
  note?: string,
): HazardHistoryEntry {
  return {
    hazardId: after.id,
    seq: after.version,
    at: now.toISOString(),
    byUnit,
    action,
    changes: changesBetween(before, after),
    ...(note ? { note } : {}),
    afterClose: isAfterDriveClose(campaign, now),
  };
}

/**
 * A new hazard from a school's report. A major hazard is listed for supervision by
 * `supervisorUnit` from today, with the five implementations' deadline; a fix on the spot is
 * closed out at once.
 */
export function createHazard(input: {
  campaign: Campaign;
  unit: UnitRecord;
  report: HazardReport;
  supervisorUnit: string | null;
  seq: number;
  now: Date;
}): HazardChange {
  const { campaign, unit, report, now } = input;
  const at = now.toISOString();
  const today = localDateOf(now, campaign.timeZone);
  const closed = report.fixedOnSpot && report.level === 'general';
  const major = report.level === 'major';
  if (major && !input.supervisorUnit) throw new Error(`no supervising unit for ${unit.code}`);
  const hazard: HazardRecord = {
    id: hazardId(unit.code, input.seq),
    unitCode: unit.code,
    district: unit.district,
    area: report.area,
    level: report.level,
    status: closed ? 'closed' : 'registered',
    title: report.title,
    version: 1,
    createdAt: at,
    updatedAt: at,
    report,
    supervision:
      major && input.supervisorUnit && report.five
        ? listing(input.supervisorUnit, report.five.deadline, today)
        : null,
    photos: [],
    ...(closed ? { closedAt: at } : {}),
  };
  return {
    hazard,
    entry: entryFor(null, hazard, 'report', unit.code, campaign, now, report.fixNote),
    delta: counterDelta(null, hazard),
  };
}

const optionalSupervisor = (context: { supervisorUnit?: string }) =>
  context.supervisorUnit ? { supervisorUnit: context.supervisorUnit } : {};

/** True when the action would list the hazard for supervision, so the caller must name its supervisor. */
export function listsForSupervision(hazard: HazardRecord, action: HazardAction): boolean {
  const level =
    action.kind === 'edit' ? action.report.level : action.kind === 'reclassify' ? action.level : null;
  return level === 'major' && hazard.level !== 'major';
}

function illegal(hazard: HazardRecord, action: HazardAction['kind']): ConflictError {
  const status = STATUS_LABELS[hazard.status];
  const label = ACTION_LABELS[action];
  return new ConflictError({
    zh: `隐患 ${hazard.id} 当前为「${status.zh}」，不能「${label.zh}」`,
    en: `hazard ${hazard.id} is ${status.en}; "${label.en}" is not allowed now`,
  });
}

function required(field: string, value: string | undefined, message: Bilingual): string {
  const text = value?.trim() ?? '';
  if (text === '') throw new ValidationError([{ path: field, value, code: 'required', ...message }]);
  return text;
}

/** Who may accept or refuse: the school for a general hazard, the supervising unit for a major one. */
function assertDecider(hazard: HazardRecord, actor: HazardActor): void {
  const supervisor = hazard.supervision?.supervisorUnit;
  const ok =
    hazard.level === 'major'
      ? actor.role === 'supervisor' && actor.unitCode === supervisor && actor.unitCode !== hazard.unitCode
      : actor.role === 'owner';
  if (!ok) {
    throw new ForbiddenError(
      hazard.level === 'major'
        ? { zh: '重大隐患由督办单位验收', en: 'a major hazard is accepted by its supervising unit' }
        : { zh: '一般隐患由学校自行验收', en: 'a general hazard is accepted by the school itself' },
    );
  }
}

/** Rectification goes ahead only with all five implementations, the contingency plan included. */
function assertFive(hazard: HazardRecord): void {
  if (hazard.report.five && !hasFiveImplementations(hazard)) {
    throw new ValidationError([
      {
        path: 'five.contingency',
        value: undefined,
        code: 'contingency-missing',
        zh: '五落实尚缺应急预案：请上传预案文件后再办理',
        en: 'the five implementations lack the contingency plan: attach it first',
      },
    ]);
  }
}

function assertOwner(actor: HazardActor, action: HazardAction['kind']): void {
  if (actor.role !== 'owner') {
    throw new ForbiddenError({
      zh: `只有上报单位可以「${ACTION_LABELS[action].zh}」`,
      en: `only the reporting unit may ${ACTION_LABELS[action].en}`,
    });
  }
}

const NOTHING_CHANGED = (path: string): ValidationError =>
  new ValidationError([
    {
      path,
      value: undefined,
      code: 'nothing-changed',
      zh: '没有修改任何内容',
      en: 'nothing was changed',
    },
  ]);

/** The unit that would supervise the hazard as a major one; needed to list it (edit to major, reclassify). */
function supervisorNeeded(supervisorUnit: string | undefined, hazard: HazardRecord): string {
  if (!supervisorUnit) throw new Error(`no supervising unit given to list ${hazard.id}`);
  return supervisorUnit;
}

/**
 * The reporting unit's correction of a registered report. The level may be raised (general →
 * major lists it for supervision, as a new major report would be) but not lowered: only the
 * supervisor delists (reclassify), or a school could lift its own supervision. A general report
 * corrected to "fixed on the spot" is closed out at once, as it would have been when reported.
 */
function edited(
  hazard: HazardRecord,
  report: HazardReport,
  context: { now: Date; today: LocalDate; supervisorUnit?: string },
): HazardRecord {
  if (hazard.level === 'major' && report.level !== 'major') {
    throw new ForbiddenError({
      zh: '重大隐患改为一般隐患须由督办单位调整等级',
      en: 'only the supervising unit may reclassify a major hazard as general',
    });
  }
  if (JSON.stringify(report) === JSON.stringify(hazard.report)) throw NOTHING_CHANGED('report');
  const at = context.now.toISOString();
  const sup = hazard.supervision;
  const deadline = report.five?.deadline;
  let supervision = sup;
  if (report.level === 'major' && deadline) {
    // The listed deadline follows the corrected one, unless an extension has moved it since.
    supervision = sup
      ? { ...sup, deadline: sup.extensions.some((e) => e.decision === 'granted') ? sup.deadline : deadline }
      : listing(supervisorNeeded(context.supervisorUnit, hazard), deadline, context.today);
  }
  const closed = report.fixedOnSpot && report.level === 'general';
  return {
    ...hazard,
    report,
    area: report.area,
    level: report.level,
    title: report.title,
    supervision,
    ...(closed ? { status: 'closed' as const, closedAt: at } : {}),
  };
}

function reclassified(
  hazard: HazardRecord,
  action: Extract<HazardAction, { kind: 'reclassify' }>,
  context: { campaign: Campaign; today: LocalDate; supervisorUnit?: string },
): HazardRecord {
  const { campaign } = context;
  const issues = [
    ...(campaign.hazardDrive.levels.some((l) => l.id === action.level)
      ? []
      : [
          {
            path: 'level',
            value: action.level,
            code: 'unknown-level',
            zh: `未知的隐患等级：${action.level}`,
            en: `unknown hazard level: ${action.level}`,
          },
        ]),
    ...(campaign.hazardDrive.areas.some((a) => a.id === action.area)
      ? []
      : [
          {
            path: 'area',
            value: action.area,
            code: 'unknown-area',
            zh: `未知的隐患类别：${action.area}`,
            en: `unknown hazard area: ${action.area}`,
          },
        ]),
  ];
  if (issues.length > 0) throw new ValidationError(issues);
  if (action.level === hazard.level && action.area === hazard.area) throw NOTHING_CHANGED('level');
  const five = hazard.report.five;
  let supervision = hazard.supervision;
  if (action.level === 'major' && hazard.level !== 'major') {
    if (!five) {
      throw new ValidationError([
        {
          path: 'level',
          value: action.level,
          code: 'five-required',
          zh: '该隐患没有五落实，不能列为重大隐患挂牌督办',
          en: 'this hazard has no five implementations, so it cannot be listed as a major hazard',
        },
      ]);
    }
    supervision = listing(supervisorNeeded(context.supervisorUnit, hazard), five.deadline, context.today);
  } else if (action.level !== 'major') {
    supervision = null;
  }
  return {
    ...hazard,
    level: action.level,
    area: action.area,
    report: { ...hazard.report, level: action.level, area: action.area },
    supervision,
  };
}

/**
 * Applies one action; refuses an illegal transition, a wrong actor or missing input with a clear
 * message. `supervisorUnit` is the unit that supervises the hazard's unit (`supervisorFor`):
 * needed when an edit or a reclassification makes the hazard major.
 */
export function applyHazardAction(
  hazard: HazardRecord,
  action: HazardAction,
  actor: HazardActor,
  context: { campaign: Campaign; now: Date; supervisorUnit?: string },
): HazardChange {
  const { campaign, now } = context;
  const at = now.toISOString();
  const today = localDateOf(now, campaign.timeZone);
  let next: HazardRecord;
  let note: string | undefined;
  switch (action.kind) {
    case 'start-rectifying':
      assertOwner(actor, action.kind);
      if (hazard.status !== 'registered') throw illegal(hazard, action.kind);
      assertFive(hazard);
      next = { ...hazard, status: 'rectifying' };
      break;
    case 'submit-for-acceptance': {
      assertOwner(actor, action.kind);
      if (hazard.status !== 'rectifying') throw illegal(hazard, action.kind);
      assertFive(hazard);
      note = required('note', action.note, { zh: '请说明整改情况', en: 'describe what was done' });
      next = { ...hazard, status: 'awaiting-acceptance', rectification: { note, at } };
      break;
    }
    case 'accept':
      if (hazard.status !== 'awaiting-acceptance') throw illegal(hazard, action.kind);
      assertDecider(hazard, actor);
      note = action.note?.trim() || undefined;
      next = {
        ...hazard,
        status: 'closed',
        closedAt: at,
        supervision: hazard.supervision ? { ...hazard.supervision, delistedOn: today } : null,
      };
      break;
    case 'refuse': {
      if (hazard.status !== 'awaiting-acceptance') throw illegal(hazard, action.kind);
      assertDecider(hazard, actor);
      note = required('reason', action.reason, {
        zh: '请填写不予验收的理由',
        en: 'give the reason for refusing',
      });
      next = { ...hazard, status: 'rectifying', refusal: { reason: note, by: actor.unitCode, at } };
      break;
    }
    case 'request-extension': {
      assertOwner(actor, action.kind);
      const supervision = hazard.supervision;
      if (!supervision || !isOpenHazard(hazard)) throw illegal(hazard, action.kind);
      if (supervision.extensions.some((e) => e.decision === 'pending')) {
        throw new ConflictError({
          zh: '已有一项延期申请待审批',
          en: 'an extension request is already waiting for a decision',
        });
      }
      note = required('reason', action.reason, {
        zh: '请填写延期理由',
        en: 'give the reason for the extension',
      });
      if (!(action.newDeadline > supervision.deadline)) {
        throw new ValidationError([
          {
            path: 'newDeadline',
            value: action.newDeadline,
            code: 'extension-date',
            zh: `新的整改期限须晚于当前期限 ${supervision.deadline}`,
            en: `the new deadline must be after the current one, ${supervision.deadline}`,
          },
        ]);
      }
      next = {
        ...hazard,
        supervision: {
          ...supervision,
          extensions: [
            ...supervision.extensions,
            {
              requestedAt: at,
              requestedBy: actor.unitCode,
              reason: note,
              newDeadline: action.newDeadline,
              decision: 'pending',
            },
          ],
        },
      };
      break;
    }
    case 'decide-extension': {
      const supervision = hazard.supervision;
      const pending = supervision?.extensions.findIndex((e) => e.decision === 'pending') ?? -1;
      if (!supervision || pending < 0 || !isOpenHazard(hazard)) throw illegal(hazard, action.kind);
      if (actor.role !== 'supervisor' || actor.unitCode !== supervision.supervisorUnit) {
        throw new ForbiddenError({
          zh: '延期由督办单位审批',
          en: 'extensions are decided by the supervising unit',
        });
      }
      note = action.note?.trim() || undefined;
      const extensions = supervision.extensions.map((e, i) =>
        i === pending
          ? {
              ...e,
              decision: action.grant ? ('granted' as const) : ('refused' as const),
              decidedBy: actor.unitCode,
              decidedAt: at,
              ...(note ? { note } : {}),
            }
          : e,
      );
      const granted = extensions[pending];
      next = {
        ...hazard,
        supervision: {
          ...supervision,
          extensions,
          deadline: action.grant && granted ? granted.newDeadline : supervision.deadline,
        },
      };
      break;
    }
    case 'add-photo':
      assertOwner(actor, action.kind);
      next = { ...hazard, photos: [...hazard.photos, action.photo] };
      break;
    case 'edit':
      assertOwner(actor, action.kind);
      if (hazard.status !== 'registered') throw illegal(hazard, action.kind);
      next = edited(hazard, action.report, { now, today, ...optionalSupervisor(context) });
      break;
    case 'withdraw': {
      assertOwner(actor, action.kind);
      if (hazard.status !== 'registered') throw illegal(hazard, action.kind);
      note = required('reason', action.reason, {
        zh: '请填写撤回理由',
        en: 'give the reason for withdrawing the report',
      });
      next = {
        ...hazard,
        status: 'withdrawn',
        withdrawal: { reason: note, by: actor.unitCode, at },
        supervision: hazard.supervision ? { ...hazard.supervision, delistedOn: today } : null,
      };
      break;
    }
    case 'reclassify': {
      const supervisor = hazard.supervision?.supervisorUnit;
      if (actor.role !== 'supervisor' || (supervisor !== undefined && actor.unitCode !== supervisor)) {
        throw new ForbiddenError({
          zh: '隐患等级和类别由督办单位调整',
          en: "a hazard's level and area are changed by its supervising unit",
        });
      }
      if (!isOpenHazard(hazard)) throw illegal(hazard, action.kind);
      note = required('reason', action.reason, {
        zh: '请填写调整理由',
        en: 'give the reason for the reclassification',
      });
      next = reclassified(hazard, action, { campaign, today, ...optionalSupervisor(context) });
      break;
    }
  }
  next = { ...next, version: hazard.version + 1, updatedAt: at };
  return {
    hazard: next,
    entry: entryFor(hazard, next, action.kind, actor.unitCode, campaign, now, note),
    delta: counterDelta(hazard, next),
  };
}
