import { z } from 'zod';
import { addDays } from './plan-dates.js';

/** What a person asks for: the input of `plan.generate`. */
export const ZPlanRequest = z.object({
  goal: z.string().trim().min(3).max(500),
  durationWeeks: z.number().int().min(1).max(52).default(4),
  startDate: z.iso.date().optional(),
  dailyHours: z.number().min(0.25).max(12).default(1),
  level: z.enum(['beginner', 'intermediate', 'advanced']).default('beginner'),
  notes: z.string().trim().max(2000).optional(),
});
/** What a client sends (defaults not yet applied). */
export type TPlanRequest = z.input<typeof ZPlanRequest>;
/** A validated request with defaults applied; `startDate` may still be missing. */
export type TPlanRequestParsed = z.output<typeof ZPlanRequest>;
/** A request pinned to the calendar: the start date is known and the last day is computed. */
export type TPlanRequestResolved = TPlanRequestParsed & { startDate: string; endDate: string };

/**
 * Pins a validated request to the calendar: `startDate` defaults to `today` and `endDate` is the
 * last day of the last week, `startDate + durationWeeks * 7 - 1`.
 *
 * @example
 * const input = ZPlanRequest.parse({ goal: 'Learn Go', durationWeeks: 2 });
 * resolvePlanRequest(input, '2025-01-01'); // { ..., startDate: '2025-01-01', endDate: '2025-01-14' }
 */
export function resolvePlanRequest(input: TPlanRequestParsed, today: string): TPlanRequestResolved {
  const startDate = input.startDate ?? today;
  return { ...input, startDate, endDate: addDays(startDate, input.durationWeeks * 7 - 1) };
}
