import type { Campaign } from '../../../../schemas/campaign.ts';
import { daysBetween, type LocalDate } from '../calendar/calendar.ts';
import type { UnitState } from './model.ts';

/**
 * Which units get a reminder on a campaign day, and what it lists. A reminder goes out only on
 * the campaign's offsets: N days before a due date for N in `reminders.daysBefore` (0 is the due
 * day), then every `overdueEveryDays` days while overdue. A unit that gets one that day gets one
 * mail listing all its gaps, not one per gap.
 *
 * A deliverable sent back for changes is reminded like a missing one, on the overdue rhythm
 * counted from the decision's day: the decision's own mail is day 0, then every
 * `overdueEveryDays` days until a new version is filed, whatever the due date (a send-back comes
 * after a filing, so usually near or past it). It is listed as a gap in any reminder the unit gets.
 */
export type Gap =
  | { kind: 'deliverable-due'; deliverableId: string; dueDate: string; daysLeft: number }
  | { kind: 'deliverable-overdue'; deliverableId: string; dueDate: string; daysOverdue: number }
  /** The current version was sent back for changes on `since` (a campaign day), with `reason`. */
  | {
      kind: 'deliverable-sent-back';
      deliverableId: string;
      dueDate: string;
      version: number;
      reason: string;
      since: LocalDate;
    }
  | { kind: 'major-hazards-overdue'; hazardIds: string[] }
  | { kind: 'missing-five'; hazardIds: string[] };

/**
 * Every gap the unit has today, whether or not today is a reminder day. A deliverable not yet
 * due counts only within the first reminder offset: in January, March's summary is no gap yet.
 */
export function gapsOf(campaign: Campaign, state: UnitState): Gap[] {
  const gaps: Gap[] = [];
  const horizon = Math.max(0, ...campaign.reminders.daysBefore);
  for (const d of state.deliverables) {
    if (d.state.kind === 'due' && d.state.days <= horizon)
      gaps.push({
        kind: 'deliverable-due',
        deliverableId: d.deliverableId,
        dueDate: d.dueDate,
        daysLeft: d.state.days,
      });
    if (d.state.kind === 'due-today')
      gaps.push({ kind: 'deliverable-due', deliverableId: d.deliverableId, dueDate: d.dueDate, daysLeft: 0 });
    if (d.state.kind === 'sent-back') {
      const { version, reason, since } = d.state;
      gaps.push({
        kind: 'deliverable-sent-back',
        deliverableId: d.deliverableId,
        dueDate: d.dueDate,
        version,
        reason,
        since,
      });
    }
    if (d.state.kind === 'overdue') {
      gaps.push({
        kind: 'deliverable-overdue',
        deliverableId: d.deliverableId,
        dueDate: d.dueDate,
        daysOverdue: d.state.days,
      });
    }
  }
  if (state.overdueMajors.length > 0)
    gaps.push({ kind: 'major-hazards-overdue', hazardIds: state.overdueMajors });
  if (state.missingFive.length > 0) gaps.push({ kind: 'missing-five', hazardIds: state.missingFive });
  return gaps;
}

/** True when a deliverable gap falls on one of the campaign's reminder offsets. */
function onOffset(campaign: Campaign, gap: Gap, day: LocalDate): boolean {
  const { daysBefore, overdueEveryDays } = campaign.reminders;
  if (gap.kind === 'deliverable-sent-back') {
    const since = daysBetween(gap.since, day);
    return since > 0 && since % overdueEveryDays === 0;
  }
  if (gap.kind === 'deliverable-due') return daysBefore.includes(gap.daysLeft);
  if (gap.kind === 'deliverable-overdue') return gap.daysOverdue % overdueEveryDays === 0;
  return false;
}

/**
 * The reminder a unit gets on `day`, or null. A deliverable on an offset triggers it; overdue
 * major hazards trigger it on the same overdue rhythm, counted from the earliest missed
 * supervision deadline. Once triggered, it lists every gap.
 */
export function reminderFor(campaign: Campaign, state: UnitState, day: LocalDate): Gap[] | null {
  const gaps = gapsOf(campaign, state);
  const since = state.overdueMajorsSince;
  const hazardDay = since !== null && daysBetween(since, day) % campaign.reminders.overdueEveryDays === 0;
  const triggered = gaps.some(
    (gap) => onOffset(campaign, gap, day) || (gap.kind === 'major-hazards-overdue' && hazardDay),
  );
  return triggered ? gaps : null;
}
