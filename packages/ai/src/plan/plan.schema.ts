import { z } from 'zod';

/** One task of a plan day. `category` is a free label, lowercased (e.g. `reading`, `practice`). */
export const ZPlanTask = z.object({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  effortMinutes: z.number().int().min(5).max(720),
  category: z.string().trim().toLowerCase().min(1).max(40),
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
