import { z } from 'zod';

/**
 * Measurable targets of a task, all optional: distance and pace (min/km) or speed of a run,
 * ride or swim; sets × reps of an exercise (`reps` alone counts interval repeats, `distanceKm`
 * then being their total); exam questions; words to write; a metronome tempo.
 *
 * They live in the plan snapshot only: task rows have no column for them, so whoever writes
 * metrics repeats them in the task's description ("8 km at 6:30/km"). They are left out of the
 * strict JSON schema sent to LLMs (see `planJsonSchema`), which cannot express optional fields.
 */
export const ZTaskMetrics = z.object({
  distanceKm: z.number().positive().max(1000).optional(),
  paceMinPerKm: z.number().positive().max(120).optional(),
  speedKmh: z.number().positive().max(100).optional(),
  sets: z.number().int().min(1).max(100).optional(),
  reps: z.number().int().min(1).max(1000).optional(),
  questions: z.number().int().min(1).max(10_000).optional(),
  words: z.number().int().min(1).max(1_000_000).optional(),
  bpm: z.number().int().min(20).max(400).optional(),
});
export type TTaskMetrics = z.infer<typeof ZTaskMetrics>;

/** One task of a plan day. `category` is a free label, lowercased (e.g. `reading`, `practice`). */
export const ZPlanTask = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  effortMinutes: z.number().int().min(5).max(720),
  category: z.string().trim().toLowerCase().min(1).max(40),
  metrics: ZTaskMetrics.optional(),
});
export type TPlanTask = z.infer<typeof ZPlanTask>;

/**
 * One day of a plan week. `day` is 1–7 counted from the plan's start weekday (see `planDate`),
 * `date` is that day's calendar date.
 */
export const ZPlanDay = z.object({
  day: z.number().int().min(1).max(7),
  date: z.iso.date(),
  tasks: z.array(ZPlanTask),
});
export type TPlanDay = z.infer<typeof ZPlanDay>;

/** One week of a plan; weeks are numbered from 1. */
export const ZPlanWeek = z.object({
  week: z.number().int().min(1),
  theme: z.string().trim().min(1).max(200),
  days: z.array(ZPlanDay),
});
export type TPlanWeek = z.infer<typeof ZPlanWeek>;

/** A whole plan as the LLM (or the offline planner) writes it. */
export const ZPlan = z.object({
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().max(2000),
  weeks: z.array(ZPlanWeek),
});
export type TPlan = z.infer<typeof ZPlan>;

/**
 * A task together with where it sits in the plan: what a `task` progress event carries.
 * `position` is the 0-based order of the task in the whole plan (weeks, then days, then tasks).
 */
export const ZPlacedTask = ZPlanTask.extend({
  week: z.number().int().min(1),
  day: z.number().int().min(1).max(7),
  date: z.iso.date(),
  position: z.number().int().min(0),
});
export type TPlacedTask = z.infer<typeof ZPlacedTask>;
