import { describe, expect, it } from 'vitest';
import { nextOccurrence, nextOccurrenceDates, parseRecurrence } from './recurrence.js';

describe('recurrence', () => {
  it('normalises valid rules and refuses invalid ones', () => {
    expect(parseRecurrence('rrule:freq=monthly;bymonthday=-1')).toBe('FREQ=MONTHLY;BYMONTHDAY=-1');
    expect(parseRecurrence('FREQ=WEEKLY;BYDAY=MO,WE')).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    for (const bad of ['FREQ=BOGUS', 'FOO=1', 'FREQ=HOURLY', 'FREQ=DAILY;COUNT=3', '']) {
      expect(() => parseRecurrence(bad), bad).toThrow();
    }
  });

  it('steps daily, with an interval', () => {
    expect(nextOccurrence('FREQ=DAILY', '2025-02-28')).toBe('2025-03-01');
    expect(nextOccurrence('FREQ=DAILY;INTERVAL=3', '2024-02-27')).toBe('2024-03-01');
  });

  it('steps weekly on chosen weekdays', () => {
    // 2025-01-01 is a Wednesday.
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=MO,WE', '2025-01-01')).toBe('2025-01-06');
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=MO,WE', '2025-01-06')).toBe('2025-01-08');
    expect(nextOccurrence('FREQ=WEEKLY;BYDAY=FR', '2025-01-03')).toBe('2025-01-10');
    expect(nextOccurrence('FREQ=WEEKLY', '2025-01-03')).toBe('2025-01-10');
  });

  it('steps monthly, including month ends', () => {
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2025-01-31')).toBe('2025-02-28');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2025-02-28')).toBe('2025-03-31');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2024-01-31')).toBe('2024-02-29');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=-1', '2025-12-31')).toBe('2026-01-31');
    expect(nextOccurrence('FREQ=MONTHLY;BYMONTHDAY=15', '2025-01-20')).toBe('2025-02-15');
    // RFC 5545: a monthly rule on the 31st skips months without one.
    expect(nextOccurrence('FREQ=MONTHLY', '2025-01-31')).toBe('2025-03-31');
  });

  it('ends at UNTIL and shifts the start date with the due date', () => {
    expect(nextOccurrence('FREQ=DAILY;UNTIL=20250105T000000Z', '2025-01-05')).toBeNull();
    expect(
      nextOccurrenceDates(
        { recurrence: 'FREQ=WEEKLY', dueDate: '2025-01-10', startDate: '2025-01-08' },
        '2025-01-09',
      ),
    ).toEqual({ dueDate: '2025-01-17', startDate: '2025-01-15' });
    expect(
      nextOccurrenceDates(
        { recurrence: 'FREQ=DAILY', dueDate: null, startDate: null },
        '2025-01-09',
      ),
    ).toEqual({ dueDate: '2025-01-10', startDate: null });
  });
});
