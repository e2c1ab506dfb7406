import { DateTime } from 'luxon';

/**
 * Calendar arithmetic on the campaign clock. A `LocalDate` (`YYYY-MM-DD`) names a day in the
 * campaign's time zone; instants are `Date`s. Nothing here reads the process time zone or the
 * wall clock, so results are the same under any `TZ`.
 */
export type LocalDate = string;

function startOf(date: LocalDate, zone: string): DateTime {
  const day = DateTime.fromISO(date, { zone });
  if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a local date: ${date}`);
  return day.startOf('day');
}

/** Deadline ends by `<date>|<zone>`: a daily check asks for the same few thousands of times. */
const deadlineEnds = new Map<string, number>();

/** The first instant after a deadline: "due 2018-01-19" ends at 2018-01-20 00:00 in `zone`. */
export function deadlineEnd(dueDate: LocalDate, zone: string): Date {
  const key = `${dueDate}|${zone}`;
  let end = deadlineEnds.get(key);
  if (end === undefined) {
    end = startOf(dueDate, zone).plus({ days: 1 }).toMillis();
    if (deadlineEnds.size >= 10_000) deadlineEnds.clear();
    deadlineEnds.set(key, end);
  }
  return new Date(end);
}

/** True when `at` is before the end of `dueDate` in `zone`. */
export function isOnTime(at: Date, dueDate: LocalDate, zone: string): boolean {
  return at.getTime() < deadlineEnd(dueDate, zone).getTime();
}

/** The campaign day that contains `at`. */
export function localDateOf(at: Date, zone: string): LocalDate {
  const iso = DateTime.fromJSDate(at, { zone }).toISODate();
  if (iso === null) throw new RangeError(`invalid instant: ${String(at)}`);
  return iso;
}

/** Whole days from `from` to `to` (negative when `to` is earlier); both are calendar dates. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round(startOf(to, 'UTC').diff(startOf(from, 'UTC'), 'days').days);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return startOf(date, 'UTC').plus({ days }).toISODate() as LocalDate;
}

/** The instant at wall-clock `time` (`HH:MM`) on `date` in `zone`. */
export function atLocalTime(date: LocalDate, time: string, zone: string): Date {
  const [hour, minute] = time.split(':').map(Number);
  return startOf(date, zone)
    .set({ hour: hour ?? 0, minute: minute ?? 0 })
    .toJSDate();
}

/**
 * Parses an ISO date-time that carries an explicit offset or `Z`. At the system's boundaries a
 * bare `2018-01-19T10:00` is refused: which zone it meant cannot be known.
 */
export function parseInstant(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** Formats an instant for people, in the campaign's zone, e.g. `2018-01-19 17:30`. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm');
}
