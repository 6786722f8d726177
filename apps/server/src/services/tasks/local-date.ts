import type { Db } from '@stepwise/db';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/**
 * The wall clock at `now` in `timeZone` (IANA): date 'YYYY-MM-DD' and time 'HH:MM:SS'.
 *
 * @example
 * localDateTime('Asia/Kathmandu', new Date('2025-03-15T20:00:00Z'));
 * // { date: '2025-03-16', time: '01:45:00' }
 */
export function localDateTime(timeZone: string, now = new Date()): { date: string; time: string } {
  const parts = formatIn(timeZone).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}:${get('second')}`,
  };
}

/**
 * The calendar date at `now` on a clock in `timeZone`, 'YYYY-MM-DD'.
 *
 * @example
 * localDate('Pacific/Kiritimati', new Date('2025-03-15T11:00:00Z')); // '2025-03-16'
 * localDate('Pacific/Pago_Pago', new Date('2025-03-15T10:00:00Z'));  // '2025-03-14'
 */
export const localDate = (timeZone: string, now = new Date()): string =>
  localDateTime(timeZone, now).date;

/** A person's IANA time zone ('UTC' until they set one). */
export async function userTimezone(db: Db, userId: string): Promise<string> {
  const row = await db
    .selectFrom('users')
    .select('timezone')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.timezone ?? 'UTC';
}

/** "Today" for a person: the date at `now` in their time zone. One indexed read. */
export async function userToday(db: Db, userId: string, now = new Date()): Promise<string> {
  return localDate(await userTimezone(db, userId), now);
}
