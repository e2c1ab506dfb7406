import type { Campaign, Deliverable } from '../../../../schemas/campaign.ts';
import {
  REVIEW_VERDICTS,
  type ReviewDecision,
  type ReviewVerdict,
  type SubmissionPointer,
  type UnitRecord,
} from '../../../../schemas/records.ts';
import type { FieldIssue } from '../../../../schemas/validation.ts';
import type { Logger } from '../../logger.ts';
import type { KeyedMail, Mailer, MailLog, SubmissionRepository, UnitRepository } from '../../ports.ts';
import { jitteredBackoff } from '../backoff.ts';
import { localDateOf } from '../calendar/calendar.ts';
import type { Clock } from '../calendar/clock.ts';
import { type MailKey, type SendOutcome, sendOnce } from '../delivery/mail-once.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { SupervisorIdentity } from '../links/sessions.ts';
import { supervisedUnit } from '../links/supervision-scope.ts';
import { allPages } from '../pages.ts';
import { normalReason, REASON_CONTROL, REASON_MAX_CHARS } from '../reasons.ts';
import { filingProfileChange } from '../report/rollup.ts';
import { deliverablesOf } from './uploads.ts';

/**
 * Sending back and accepting filed versions (issue 13, "Decisions: Send back"). A supervising
 * body (the city office, or the district bureau of the unit), or a named reviewer acting for it,
 * marks the current version of a unit's deliverable "needs changes" (退回修改) with a reason, or
 * "accepted" (审核通过). The decision is stored on the deliverable's pointer, numbered, as its own
 * item and on the audit log, all in one transaction (`SubmissionRepository.decide`); the unit
 * gets one mail per decision.
 *
 * The rules:
 * - Only the current version can be decided on. A decision names its version, so a new filing
 *   makes it stale by construction (`deliverableStateOn` reads it only while it names the
 *   current version); deciding on a superseded version is a `ConflictError`.
 * - Idempotent: the same decision (version, verdict and reason) posted again changes nothing and
 *   answers with the stored one; its mail is keyed on the decision, so it goes once, and a
 *   repeat sends it if the first attempt did not (a crash between the write and the send).
 * - Concurrent decisions are never "last write wins": each is written on the condition that the
 *   pointer's latest decision is still the one before it (`seq - 1`). Of two reviewers deciding at
 *   once, one wins and the other gets a `ConflictError` naming the decision that won, unless they
 *   made the same decision, which is then a repeat. A form also carries the number of the latest
 *   decision its page showed (`basis`), so a decision made on a stale page is refused the same way.
 * - A later, different decision on the same version (a correction) is allowed from a page that
 *   showed the one it replaces; every decision stays in the history.
 */

/**
 * Who decides: a supervising body, the named reviewer acting for it (if any), and what the
 * audit trail names (`reviewer:<id>` or the body's code): the workspace's `Supervisor`.
 */
export type ReviewActor = SupervisorIdentity;

/** Renders the unit's mail for one decision (`shared/mail/review-mail.ts`), addressed from `key`. */
export type ReviewMailRenderer = (
  key: MailKey,
  input: { campaign: Campaign; unit: UnitRecord; deliverable: Deliverable; decision: ReviewDecision },
) => KeyedMail;

export interface ReviewDeps {
  campaign: Campaign;
  clock: Clock;
  units: Pick<UnitRepository, 'get'>;
  submissions: Pick<SubmissionRepository, 'pointer' | 'decide'>;
  mailer: Mailer;
  mailLog: MailLog;
  logger?: Logger;
  reviewMail: ReviewMailRenderer;
}

export interface ReviewResult {
  decision: ReviewDecision;
  /** False when this was a repeat of the stored decision: nothing was written. */
  recorded: boolean;
  /** What became of the unit's mail: `skipped` when it had gone out already. */
  mail: SendOutcome;
}

/** Attempts at writing one decision while transactions on the same pointer only collide. */
const WRITE_ATTEMPTS = 5;

export const VERDICT_LABELS: Record<ReviewVerdict, { zh: string; en: string }> = {
  'needs-changes': { zh: '退回修改', en: 'sent back for changes' },
  accepted: { zh: '审核通过', en: 'accepted' },
};

const NO_SUCH_VERSION = { zh: '没有这个文件版本', en: 'No such version of the file' };

/** The verdict and reason of a decision form, checked; every problem names its field and the value it got. */
export function checkDecision(verdict: string, reason: string): { verdict: ReviewVerdict; reason: string } {
  const issues: FieldIssue[] = [];
  const known = (REVIEW_VERDICTS as readonly string[]).includes(verdict);
  if (!known) {
    issues.push({
      path: 'verdict',
      value: verdict.slice(0, 100),
      code: 'verdict',
      zh: `审核结论应为“退回修改”（needs-changes）或“审核通过”（accepted），收到 “${verdict.slice(0, 100)}”`,
      en: `the verdict must be needs-changes or accepted; got "${verdict.slice(0, 100)}"`,
    });
  }
  const text = normalReason(reason);
  const control = REASON_CONTROL.exec(text);
  if (control) {
    const code = `U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    issues.push({
      path: 'reason',
      value: text.replace(new RegExp(REASON_CONTROL.source, 'gu'), '').slice(0, 100),
      code: 'control-character',
      zh: `退回理由不能包含控制字符（第 ${control.index + 1} 个字符是 ${code}）`,
      en: `the reason must not contain control characters (${code} at character ${control.index + 1})`,
    });
  } else if ([...text].length > REASON_MAX_CHARS) {
    issues.push({
      path: 'reason',
      value: `${text.slice(0, 100)}…`,
      code: 'too_big',
      zh: `理由不能超过 ${REASON_MAX_CHARS} 个字，收到 ${[...text].length} 个字`,
      en: `the reason may hold at most ${REASON_MAX_CHARS} characters; got ${[...text].length}`,
    });
  } else if (verdict === 'needs-changes' && text.length === 0) {
    issues.push({
      path: 'reason',
      value: reason.slice(0, 100),
      code: 'reason-required',
      zh: '退回修改必须填写理由（1–500 字），学校将看到这段理由',
      en: 'sending a version back needs a reason (1–500 characters); the school will read it',
    });
  }
  if (issues.length > 0)
    throw new ValidationError(issues, { zh: '审核决定有误', en: 'The decision is not valid' });
  return { verdict: verdict as ReviewVerdict, reason: text };
}

/** The decision on the current version, if the pointer holds one that is not stale. */
export function currentDecision(pointer: SubmissionPointer | null): ReviewDecision | null {
  const review = pointer?.review;
  return review && review.version === pointer.currentVersion ? review : null;
}

/** The mail of one decision: keyed on the unit, deliverable, version, verdict and the decision's number. */
export function reviewMailKey(decision: ReviewDecision, unit: UnitRecord, timeZone: string): MailKey {
  const { unitCode, deliverableId, version, verdict, seq } = decision;
  return {
    day: localDateOf(new Date(decision.at), timeZone),
    purpose: `review:${unitCode}:${deliverableId}:v${version}:${verdict}:${seq}`,
    recipient: unit.email,
  };
}

const sameDecision = (
  stored: ReviewDecision | undefined,
  version: number,
  decided: { verdict: ReviewVerdict; reason: string },
): boolean =>
  stored !== undefined &&
  stored.version === version &&
  stored.verdict === decided.verdict &&
  stored.reason === decided.reason;

function superseded(version: number, current: number): ConflictError {
  return new ConflictError({
    zh: `第 ${version} 版已被第 ${current} 版取代，不能再对它作出审核决定；请刷新页面，审核最新版本`,
    en: `version ${version} has been superseded by version ${current} and can no longer be decided on; reload the page and review the latest version`,
  });
}

function decidedMeanwhile(latest: ReviewDecision | undefined): ConflictError {
  const who = latest ? latest.byName : '';
  const what = latest ? VERDICT_LABELS[latest.verdict] : { zh: '', en: '' };
  return new ConflictError({
    zh: `${who}刚刚对这一版作出了新的决定（${what.zh}）；请刷新页面，看过后再决定`,
    en: `${who} has just made a newer decision on this version (${what.en}); reload the page and decide after reading it`,
  });
}

/**
 * `actor` decides on version `version` of `unitCode`'s deliverable: `verdict` is `needs-changes`
 * (with a reason) or `accepted` (with an optional note). A unit out of the actor's scope, withdrawn
 * or unknown gets the same 404 as every supervisor route; a version that does not exist, a 404 of
 * its own. `basis`: the number of the latest decision the actor's page showed (0 for none).
 */
export async function reviewVersion(
  deps: ReviewDeps,
  actor: ReviewActor,
  unitCode: string,
  deliverableId: string,
  version: string | number,
  verdict: string,
  reason: string,
  options: { basis?: number } = {},
): Promise<ReviewResult> {
  const unit = await supervisedUnit(deps, actor.body, unitCode);
  const deliverable = deliverablesOf(deps.campaign, unit).find((d) => d.id === deliverableId);
  const number = typeof version === 'number' ? version : /^\d{1,9}$/.test(version) ? Number(version) : NaN;
  if (!deliverable || !Number.isInteger(number) || number < 1) throw new NotFoundError(NO_SUCH_VERSION);
  const decided = checkDecision(verdict, reason);
  // The latest decision this one follows: the one the actor's page showed, else the one read first.
  let expected = options.basis;
  for (let attempt = 1; ; attempt += 1) {
    const pointer = await deps.submissions.pointer(unit.code, deliverable.id);
    if (!pointer || number > pointer.currentVersion) throw new NotFoundError(NO_SUCH_VERSION);
    if (number < pointer.currentVersion) throw superseded(number, pointer.currentVersion);
    if (pointer.review && sameDecision(pointer.review, number, decided))
      return repeat(deps, unit, deliverable, pointer.review);
    const latest = pointer.review?.seq ?? 0;
    expected ??= latest;
    if (expected !== latest) throw decidedMeanwhile(pointer.review);

    const at = deps.clock.now().toISOString();
    const decision: ReviewDecision = {
      unitCode: unit.code,
      deliverableId: deliverable.id,
      seq: latest + 1,
      version: number,
      verdict: decided.verdict,
      reason: decided.reason,
      by: actor.actor,
      byName: actor.reviewer?.name ?? actor.body.name,
      body: actor.body.code,
      at,
    };
    // Read afresh: the decision moves the profile's marks too, conditioned on them as read.
    const current = (await deps.units.get(unit.code)) ?? unit;
    const profile = filingProfileChange(deps.campaign, current, { ...pointer, review: decision });
    try {
      await deps.submissions.decide(
        decision,
        {
          at,
          actor: decision.by,
          action: `review-${decision.verdict}`,
          subject: unit.code,
          detail: {
            deliverable: deliverable.id,
            version: number,
            verdict: decision.verdict,
            reason: decision.reason,
            seq: decision.seq,
            body: actor.body.code,
            ...(actor.reviewer ? { reviewer: actor.reviewer.name } : {}),
          },
        },
        profile,
      );
      return { decision, recorded: true, mail: await mailDecision(deps, unit, deliverable, decision) };
    } catch (error) {
      // Lost a race (or the version moved on): the next read says which. Only a transaction
      // conflict that changed nothing gets past the checks above again and retries the write.
      if (!(error instanceof ConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
      await jitteredBackoff(attempt);
    }
  }
}

async function repeat(
  deps: ReviewDeps,
  unit: UnitRecord,
  deliverable: Deliverable,
  decision: ReviewDecision,
): Promise<ReviewResult> {
  return { decision, recorded: false, mail: await mailDecision(deps, unit, deliverable, decision) };
}

/**
 * The unit's mail for `decision`, once (`sendOnce`). A failed send is recorded and reported, not
 * thrown: the decision stands, and posting the same decision again sends it.
 */
async function mailDecision(
  deps: ReviewDeps,
  unit: UnitRecord,
  deliverable: Deliverable,
  decision: ReviewDecision,
): Promise<SendOutcome> {
  const key = reviewMailKey(decision, unit, deps.campaign.timeZone);
  const { outcome, error } = await sendOnce(deps, key, () =>
    deps.reviewMail(key, { campaign: deps.campaign, unit, deliverable, decision }),
  );
  if (outcome === 'failed') {
    deps.logger?.error('review mail failed', {
      unit: unit.code,
      deliverable: deliverable.id,
      version: decision.version,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return outcome;
}

/** Every decision on `unit`'s deliverable, oldest first: the history shown per version on the pages. */
export function decisionsOf(
  deps: { submissions: Pick<SubmissionRepository, 'decisions'> },
  unitCode: string,
  deliverableId: string,
): Promise<ReviewDecision[]> {
  return allPages((page) => deps.submissions.decisions(unitCode, deliverableId, page), 100);
}
