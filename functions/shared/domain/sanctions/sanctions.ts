import { randomUUID } from 'node:crypto';
import type { Campaign } from '../../../../schemas/campaign.ts';
import type { Label } from '../../../../schemas/primitives.ts';
import { LocalDateSchema } from '../../../../schemas/primitives.ts';
import {
  SANCTION_KINDS,
  type SanctionKind,
  type SanctionRecord,
  SanctionRecordSchema,
  type UnitRecord,
} from '../../../../schemas/records.ts';
import { type FieldIssue, truncated } from '../../../../schemas/validation.ts';
import type { SanctionRepository, UnitRepository } from '../../ports.ts';
import { addDays } from '../calendar/calendar.ts';
import type { Clock } from '../calendar/clock.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { SupervisorIdentity } from '../links/sessions.ts';
import { supervisedUnit } from '../links/supervision-scope.ts';
import { REASON_CONTROL, REASON_MAX_CHARS } from '../reasons.ts';
import { changedSince } from '../report/instant.ts';
import type { CampaignInstant, Change } from '../report/model.ts';

/**
 * Summons (约谈) and circulars (通报), issue 13: a supervising body's decision against a unit that
 * lags. Who may record one is who supervises the unit (`supervises`): the city office for every
 * unit, a district bureau for its own district's units (the bureaus summon their own schools in
 * the 2018 plan, and the office sees every bureau's decisions in its digest). A school or an
 * affiliated unit has no workspace and records none. A decision is never edited: a mistaken one
 * is followed by another.
 */
export const SANCTION_KIND_LABELS: Record<SanctionKind, Label> = {
  summons: { zh: '约谈', en: 'Summons' },
  circular: { zh: '通报', en: 'Circular' },
};

/** How long after the campaign's last day a decision may still be dated: late units are summoned after it. */
export const DATE_GRACE_DAYS = 90;

/** The dates a decision may carry: from the day the campaign opens to 90 days after its last day. */
export function sanctionDates(campaign: Campaign): { from: string; to: string } {
  const last = [campaign.hazardDrive.closesOn, ...campaign.deliverables.map((d) => d.dueDate)].sort().at(-1);
  return { from: campaign.opensOn, to: addDays(last ?? campaign.opensOn, DATE_GRACE_DAYS) };
}

export interface SanctionInput {
  kind: SanctionKind;
  date: string;
  reason: string;
  formKey: string;
}

/** A fresh one-time key for a decision form (it becomes the decision's id). */
export function newSanctionFormKey(): string {
  return randomUUID();
}

/** The posted form's fields, checked; every problem names its field and the value it got. */
export function parseSanctionForm(
  campaign: Campaign,
  form: { kind?: string | null; date?: string | null; reason?: string | null; formKey?: string | null },
): SanctionInput {
  const issues: FieldIssue[] = [];
  const kind = form.kind ?? '';
  if (!(SANCTION_KINDS as readonly string[]).includes(kind))
    issues.push({
      path: 'kind',
      value: truncated(kind),
      code: 'sanction-kind',
      zh: `请选择“约谈”或“通报”（kind），收到的是“${truncated(kind)}”`,
      en: `choose summons or circular (kind); got "${truncated(kind)}"`,
    });
  const date = (form.date ?? '').trim();
  const { from, to } = sanctionDates(campaign);
  if (!LocalDateSchema.safeParse(date).success)
    issues.push({
      path: 'date',
      value: truncated(date),
      code: 'local-date',
      zh: `日期（date）应为真实日期 YYYY-MM-DD，收到的是“${truncated(date)}”`,
      en: `the date (date) must be a real date YYYY-MM-DD; got "${truncated(date)}"`,
    });
  else if (date < from || date > to)
    issues.push({
      path: 'date',
      value: date,
      code: 'sanction-date',
      zh: `日期（date）应在 ${from} 至 ${to} 之间，收到的是 ${date}`,
      en: `the date (date) must be from ${from} to ${to}; got ${date}`,
    });
  const reason = (form.reason ?? '').trim();
  const length = [...reason].length;
  if (length < 1 || length > REASON_MAX_CHARS || REASON_CONTROL.test(reason))
    issues.push({
      path: 'reason',
      value: truncated(reason),
      code: 'sanction-reason',
      zh: `事由（reason）应为 1 至 ${REASON_MAX_CHARS} 个字、不含控制字符，收到的有 ${length} 个字`,
      en: `the reason (reason) must be 1 to ${REASON_MAX_CHARS} characters without control characters; got ${length}`,
    });
  const formKey = form.formKey ?? '';
  if (!SanctionRecordSchema.shape.id.safeParse(formKey).success)
    issues.push({
      path: 'formKey',
      value: truncated(formKey),
      code: 'form-key',
      zh: '表单缺少一次性编号（formKey），可能来自旧页面；请在重新打开的表单中提交',
      en: 'the form lacks its one-time key (formKey), perhaps from an old page; submit the form as served again',
    });
  if (issues.length > 0) throw new ValidationError(issues);
  return { kind: kind as SanctionKind, date, reason, formKey };
}

/** The same form posted again with other content: the first decision stands. */
export class SanctionFormUsedError extends ConflictError {
  constructor(readonly sanction: SanctionRecord) {
    super({
      zh: `这份表单已用于记录 ${sanction.date} 的${SANCTION_KIND_LABELS[sanction.kind].zh}；如要再记录一次，请重新打开表单`,
      en: `this form already recorded a ${SANCTION_KIND_LABELS[sanction.kind].en.toLowerCase()} dated ${sanction.date}; to record another, open the form again`,
    });
  }
}

export interface SanctionDeps {
  campaign: Campaign;
  clock: Clock;
  units: Pick<UnitRepository, 'get'>;
  sanctions: Pick<SanctionRepository, 'record' | 'byFormKey'>;
}

const sameDecision = (a: SanctionRecord, b: SanctionInput) =>
  a.kind === b.kind && a.date === b.date && a.reason === b.reason;

/**
 * Records a decision against the unit `unitCode` names, once per form: the form's one-time key is
 * stored with the decision and its audit event in one transaction, so a replay or a concurrent
 * double click answers with the decision the first post stored. A unit out of the supervisor's
 * scope is a 404, as everywhere in the workspace.
 */
export async function recordSanction(
  deps: SanctionDeps,
  supervisor: Pick<SupervisorIdentity, 'body' | 'actor'>,
  unitCode: string,
  form: Parameters<typeof parseSanctionForm>[1],
): Promise<{ sanction: SanctionRecord; unit: UnitRecord; replay: boolean }> {
  const unit = await supervisedUnit(deps, supervisor.body, unitCode);
  const input = parseSanctionForm(deps.campaign, form);
  const replayOf = (earlier: SanctionRecord) => {
    if (!sameDecision(earlier, input)) throw new SanctionFormUsedError(earlier);
    return { sanction: earlier, unit, replay: true };
  };
  const earlier = await deps.sanctions.byFormKey(unit.code, input.formKey);
  if (earlier) return replayOf(earlier);
  const at = deps.clock.now().toISOString();
  const sanction: SanctionRecord = {
    id: input.formKey,
    unitCode: unit.code,
    district: unit.district,
    kind: input.kind,
    date: input.date,
    reason: input.reason,
    bodyCode: supervisor.body.code,
    actor: supervisor.actor,
    recordedAt: at,
  };
  const outcome = await deps.sanctions.record(sanction, {
    at,
    actor: supervisor.actor,
    action: `sanction-recorded`,
    subject: unit.code,
    detail: { id: sanction.id, kind: sanction.kind, date: sanction.date, body: supervisor.body.code },
  });
  if (outcome === 'recorded') return { sanction, unit, replay: false };
  const winner = await deps.sanctions.byFormKey(unit.code, input.formKey);
  if (!winner) throw new Error(`sanction form key ${input.formKey} refused but not found`);
  return replayOf(winner);
}

/** The decisions recorded in the digest's window ("since yesterday"), as changes. */
export function sanctionChanges(
  sanctions: readonly SanctionRecord[],
  units: ReadonlyMap<string, Pick<UnitRecord, 'code' | 'name' | 'district'>>,
  instant: CampaignInstant,
): Change[] {
  const within = changedSince(instant);
  return sanctions.flatMap((s): Change[] => {
    const unit = units.get(s.unitCode);
    if (!unit || !within(s.recordedAt)) return [];
    return [
      {
        kind: 'sanction-recorded',
        unitCode: unit.code,
        unitName: unit.name,
        district: unit.district,
        subject: `${SANCTION_KIND_LABELS[s.kind].zh}（${s.date}）${s.reason}`,
        at: s.recordedAt,
      },
    ];
  });
}

/** Decisions as lists show them: by date, then unit, then when recorded. */
export function inSanctionOrder<T extends Pick<SanctionRecord, 'date' | 'unitCode' | 'recordedAt'>>(
  sanctions: T[],
): T[] {
  return sanctions.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      a.unitCode.localeCompare(b.unitCode) ||
      a.recordedAt.localeCompare(b.recordedAt),
  );
}
