import type { Deliverable } from '../../../../schemas/campaign.ts';
import type { SubmissionPointer } from '../../../../schemas/records.ts';
import { daysBetween, isOnTime, type LocalDate, localDateOf } from './calendar.ts';

/** A supervisor accepted the current version (审核通过): when, and which version. */
export interface Acceptance {
  version: number;
  at: string;
}

/**
 * Where one unit stands with one deliverable on a given campaign day. `days` is how many
 * days are left (`due`), overdue (`overdue`), or how late the first filing was (`filed-late`).
 *
 * `sent-back`: a supervisor sent the current version back (退回修改). It counts as not accepted
 * until a new version is filed, which makes the decision stale (it names an older version), and
 * the state is `filed-…` again. `since` is the campaign day of the decision (reminders count
 * from it); `filedAt` and `onTime` are still the first filing's, which a send-back does not undo.
 * A filed state carries `accepted` when a supervisor accepted the current version.
 */
export type DeliverableState =
  | { kind: 'due'; days: number }
  | { kind: 'due-today' }
  | { kind: 'overdue'; days: number }
  | { kind: 'filed-on-time'; filedAt: string; accepted?: Acceptance }
  | { kind: 'filed-late'; filedAt: string; days: number; accepted?: Acceptance }
  | {
      kind: 'sent-back';
      filedAt: string;
      onTime: boolean;
      version: number;
      reason: string;
      at: string;
      since: LocalDate;
    };

/** Filed, and not sent back: the first filing stands (accepted or still unreviewed). */
export function isFiledState(
  state: DeliverableState,
): state is Extract<DeliverableState, { kind: 'filed-on-time' | 'filed-late' }> {
  return state.kind === 'filed-on-time' || state.kind === 'filed-late';
}

export function deliverableState(
  deliverable: Deliverable,
  pointer: SubmissionPointer | null,
  now: Date,
  timeZone: string,
): DeliverableState {
  return deliverableStateOn(deliverable, pointer, localDateOf(now, timeZone), timeZone);
}

/** `deliverableState` on the campaign day `today`, for a caller that has it at hand already. */
export function deliverableStateOn(
  deliverable: Deliverable,
  pointer: SubmissionPointer | null,
  today: LocalDate,
  timeZone: string,
): DeliverableState {
  if (pointer) {
    const filedAt = pointer.firstReceivedAt;
    const onTime = isOnTime(new Date(filedAt), deliverable.dueDate, timeZone);
    // A decision speaks only for the version it was made on; a newer filing makes it stale.
    const review = pointer.review?.version === pointer.currentVersion ? pointer.review : undefined;
    if (review?.verdict === 'needs-changes') {
      const { version, reason, at } = review;
      const since = localDateOf(new Date(at), timeZone);
      return { kind: 'sent-back', filedAt, onTime, version, reason, at, since };
    }
    const accepted =
      review?.verdict === 'accepted' ? { accepted: { version: review.version, at: review.at } } : {};
    if (onTime) return { kind: 'filed-on-time', filedAt, ...accepted };
    const days = daysBetween(deliverable.dueDate, localDateOf(new Date(filedAt), timeZone));
    return { kind: 'filed-late', filedAt, days, ...accepted };
  }
  const left = daysBetween(today, deliverable.dueDate);
  if (left > 0) return { kind: 'due', days: left };
  if (left === 0) return { kind: 'due-today' };
  return { kind: 'overdue', days: -left };
}

/**
 * How many days a unit is behind on a deliverable on campaign day `today`: overdue and not filed,
 * or sent back for changes and not refiled past the due date (a sent-back filing is not accepted,
 * so it lags like a missing one); 0 otherwise. The laggard lists (the dashboard, the draft
 * circular) rank by it.
 */
export function daysBehind(dueDate: LocalDate, state: DeliverableState, today: LocalDate): number {
  if (state.kind === 'overdue') return state.days;
  if (state.kind === 'sent-back') return Math.max(0, daysBetween(dueDate, today));
  return 0;
}
