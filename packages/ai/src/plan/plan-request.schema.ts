import { z } from 'zod';
import { extraWeeksRequested } from './offline/revision-instructions.js';
import type { TPlan } from './plan.schema.js';
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

/**
 * The structured side of a revision request, for planners that cannot read the instructions in
 * `notes` (the offline planner). Set by the server, never by a client; it travels with the
 * request in `generations.input` (JSON).
 */
export interface PlanRevision {
  /** The person's instructions, as typed. */
  instructions: string;
  /** The current plan version's snapshot. */
  current: TPlan;
  /** Positions, in `placeTasks(current)` order, of the tasks already done. */
  completed: number[];
}

/**
 * A request pinned to the calendar: the start date is known and the last day is computed.
 * A revision request also carries `revision`.
 */
export type TPlanRequestResolved = TPlanRequestParsed & {
  startDate: string;
  endDate: string;
  revision?: PlanRevision;
};

const MAX_WEEKS = 52;

/**
 * Pins a validated request to the calendar: `startDate` defaults to `today` and `endDate` is the
 * last day of the last week, `startDate + durationWeeks * 7 - 1`.
 *
 * For a revision the timeline is the current plan's (at least `durationWeeks`: an earlier
 * revision may have extended it) plus the weeks its instructions ask to add ("extend by 2
 * weeks", "I'm behind, push it back"), at most 52 weeks, so that every planner, LLM or offline,
 * is held to the longer plan.
 *
 * @example
 * const input = ZPlanRequest.parse({ goal: 'Learn Go', durationWeeks: 2 });
 * resolvePlanRequest(input, '2025-01-01'); // { ..., startDate: '2025-01-01', endDate: '2025-01-14' }
 */
export function resolvePlanRequest(
  input: TPlanRequestParsed & { revision?: PlanRevision | undefined },
  today: string,
): TPlanRequestResolved {
  const startDate = input.startDate ?? today;
  const { revision, ...rest } = input;
  const durationWeeks = revision
    ? Math.min(
        MAX_WEEKS,
        Math.max(input.durationWeeks, revision.current.weeks.length) +
          extraWeeksRequested(revision.instructions),
      )
    : input.durationWeeks;
  const endDate = addDays(startDate, durationWeeks * 7 - 1);
  return { ...rest, durationWeeks, startDate, endDate, ...(revision ? { revision } : {}) };
}
