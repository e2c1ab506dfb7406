import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardReport } from '../../../../schemas/hazards.ts';
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

/**
 * The closed loop of a hazard (检查、整改、销号), as a state machine over plain records:
 * registered → rectifying → awaiting acceptance → closed out; a refused acceptance goes back to
 * rectifying (继续挂账); a fix on the spot is closed out at once. Every change yields the next
 * record, one append-only history entry and the change to the unit's open-hazard counters.
 */
export type HazardStatus = HazardRecord['status'];

export const STATUS_LABELS: Record<HazardStatus, Bilingual> = {
  registered: { zh: '已登记', en: 'registered' },
  rectifying: { zh: '整改中', en: 'being rectified' },
  'awaiting-acceptance': { zh: '待验收', en: 'awaiting acceptance' },
  closed: { zh: '已销号', en: 'closed out' },
};

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
  | { kind: 'add-photo'; photo: HazardPhoto };

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
};

export interface HazardChange {
  hazard: HazardRecord;
  entry: HazardHistoryEntry;
  delta: CounterDelta;
}

const openCounter = (level: HazardRecord['level']): keyof CounterDelta =>
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
  if (hazard.level !== 'major' || hazard.status === 'closed' || !hazard.supervision) return false;
  return !isOnTime(now, hazard.supervision.deadline, timeZone);
}

export function hazardId(unitCode: string, seq: number): string {
  return `${unitCode}-H${String(seq).padStart(3, '0')}`;
}

/** What changed between two records, field by field, for the history. */
function changesBetween(before: HazardRecord | null, after: HazardRecord): HazardHistoryEntry['changes'] {
  const ignored = new Set(['version', 'updatedAt']);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const changes: HazardHistoryEntry['changes'] = [];
  for (const key of keys) {
    if (ignored.has(key)) continue;
    const from = before ? (before as Record<string, unknown>)[key] : undefined;
    const to = (after as Record<string, unknown>)[key];
    if (JSON.stringify(from) !== JSON.stringify(to))
      changes.push({ field: key, from: from ?? null, to: to ?? null });
  }
  return changes;
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
        ? {
            supervisorUnit: input.supervisorUnit,
            listedOn: today,
            deadline: report.five.deadline,
            extensions: [],
          }
        : null,
    photos: [],
    ...(closed ? { closedAt: at } : {}),
  };
  return {
    hazard,
    entry: entryFor(null, hazard, 'report', unit.code, campaign, now, report.fixNote),
    delta: closed ? {} : { [openCounter(hazard.level)]: 1 },
  };
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

/** Applies one action; refuses an illegal transition, a wrong actor or missing input with a clear message. */
export function applyHazardAction(
  hazard: HazardRecord,
  action: HazardAction,
  actor: HazardActor,
  context: { campaign: Campaign; now: Date },
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
      if (!supervision || hazard.status === 'closed') throw illegal(hazard, action.kind);
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
      if (!supervision || pending < 0 || hazard.status === 'closed') throw illegal(hazard, action.kind);
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
  }
  next = { ...next, version: hazard.version + 1, updatedAt: at };
  const closedNow = hazard.status !== 'closed' && next.status === 'closed';
  return {
    hazard: next,
    entry: entryFor(hazard, next, action.kind, actor.unitCode, campaign, now, note),
    delta: closedNow ? { [openCounter(hazard.level)]: -1 } : {},
  };
}
