import type { Deliverable } from '../../../../schemas/campaign.ts';
import type { SubmissionPointer } from '../../../../schemas/records.ts';
import { daysBetween, isOnTime, type LocalDate, localDateOf } from './calendar.ts';

/**
 * Where one unit stands with one deliverable on a given campaign day. `days` is how many
 * days are left (`due`), overdue (`overdue`), or how late the first filing was (`filed-late`).
 */
export type DeliverableState =
  | { kind: 'due'; days: number }
  | { kind: 'due-today' }
  | { kind: 'overdue'; days: number }
  | { kind: 'filed-on-time'; filedAt: string }
  | { kind: 'filed-late'; filedAt: string; days: number };

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
    if (onTime) return { kind: 'filed-on-time', filedAt };
    const days = daysBetween(deliverable.dueDate, localDateOf(new Date(filedAt), timeZone));
    return { kind: 'filed-late', filedAt, days };
  }
  const left = daysBetween(today, deliverable.dueDate);
  if (left > 0) return { kind: 'due', days: left };
  if (left === 0) return { kind: 'due-today' };
  return { kind: 'overdue', days: -left };
}
