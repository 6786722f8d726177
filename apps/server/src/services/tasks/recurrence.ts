import { addDays, daysBetween } from '@stepwise/ai/schema';
import rrule from 'rrule';
import { z } from 'zod';

// rrule ships CommonJS: its named exports exist only on the default import under Node ESM.
const { RRule, Frequency } = rrule;

const DATE_FREQUENCIES = new Set([
  Frequency.YEARLY,
  Frequency.MONTHLY,
  Frequency.WEEKLY,
  Frequency.DAILY,
]);

const utc = (date: string) => new Date(`${date}T00:00:00.000Z`);

/**
 * Parses an RFC 5545 recurrence rule (`FREQ=WEEKLY;BYDAY=MO,WE`, optionally prefixed with
 * `RRULE:`) and returns it normalised, without the prefix. Tasks recur by dates, so the
 * frequency is daily, weekly, monthly or yearly. DTSTART and COUNT are refused: each
 * occurrence counts from the due date of the one before it, so a count has no stable meaning
 * (UNTIL bounds a series instead).
 *
 * @example
 * parseRecurrence('rrule:freq=monthly;bymonthday=-1'); // 'FREQ=MONTHLY;BYMONTHDAY=-1'
 */
export function parseRecurrence(text: string): string {
  const body = text
    .trim()
    .replace(/^RRULE:/i, '')
    .toUpperCase();
  if (/(^|;)(DTSTART|COUNT)=/.test(body)) {
    throw new Error('DTSTART and COUNT are not supported; use UNTIL to end a series');
  }
  const options = RRule.parseString(body);
  if (options.freq === undefined || !DATE_FREQUENCIES.has(options.freq)) {
    throw new Error('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY');
  }
  // Building the rule validates the combination (e.g. BYMONTHDAY ranges).
  const rule = new RRule({ ...options, dtstart: utc('2000-01-01') });
  rule.after(utc('2000-01-01'));
  return RRule.optionsToString(options).replace(/^RRULE:/, '');
}

/** A recurrence rule as task input: validated and normalised, a BAD_REQUEST field error otherwise. */
export const ZRecurrence = z
  .string()
  .max(500)
  .transform((text, ctx) => {
    try {
      return parseRecurrence(text);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid recurrence rule: ${error instanceof Error ? error.message : String(error)}`,
      });
      return z.NEVER;
    }
  });

/**
 * The first date of `rule` strictly after `after`, counting the series from `after` (the due
 * date of the occurrence just completed); null when the rule's UNTIL has passed.
 *
 * @example
 * nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2025-01-31'); // '2025-02-28'
 * nextOccurrence('FREQ=WEEKLY;BYDAY=MO,WE', '2025-01-01');    // '2025-01-06'
 */
export function nextOccurrence(rule: string, after: string): string | null {
  const options = RRule.parseString(rule);
  const next = new RRule({ ...options, dtstart: utc(after) }).after(utc(after), false);
  return next ? next.toISOString().slice(0, 10) : null;
}

/** The next occurrence's dates: its due date per the rule, its start date shifted alike. */
export function nextOccurrenceDates(
  task: { recurrence: string; dueDate: string | null; startDate: string | null },
  today: string,
): { dueDate: string; startDate: string | null } | null {
  const base = task.dueDate ?? today;
  const dueDate = nextOccurrence(task.recurrence, base);
  if (!dueDate) return null;
  const startDate =
    task.startDate && task.dueDate
      ? addDays(dueDate, -daysBetween(task.startDate, task.dueDate))
      : null;
  return { dueDate, startDate };
}
