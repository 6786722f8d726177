const MS_PER_DAY = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function toUtc(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/**
 * Adds whole days to an ISO calendar date, in UTC so that no time zone or DST shift can move it.
 *
 * @example
 * addDays('2025-03-30', 2); // '2025-04-01'
 */
export function addDays(date: string, days: number): string {
  return new Date(toUtc(date).getTime() + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / MS_PER_DAY);
}

/**
 * The calendar date of day `day` (1–7) of week `week` (1-based) of a plan starting on
 * `startDate`. Weeks are rolling 7-day blocks that begin on the start date's weekday, so
 * week 1 day 1 is the start date itself and week w day d is `startDate + (w-1)*7 + (d-1)`.
 *
 * @example
 * planDate('2025-01-01', 2, 3); // '2025-01-10'
 */
export function planDate(startDate: string, week: number, day: number): string {
  return addDays(startDate, (week - 1) * 7 + (day - 1));
}

/** English weekday name of an ISO date, e.g. `'Wednesday'` for `'2025-01-01'`. */
export function weekdayName(date: string): string {
  return WEEKDAYS[toUtc(date).getUTCDay()] ?? 'Sunday';
}
