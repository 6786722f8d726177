import type { TPlan, TPlanTask, TPlanWeek, TTaskMetrics } from '../plan.schema.js';
import { planDate } from '../plan-dates.js';
import type { TPlanRequestResolved } from '../plan-request.schema.js';
import { metricsPhrase } from './format-metrics.js';

export type Level = TPlanRequestResolved['level'];

/** A day of a plan being built: `day` 1–7 as in `ZPlanDay`, no date yet. */
export interface DraftDay {
  day: number;
  tasks: TPlanTask[];
}

/** A week of a plan being built: its number is its position. */
export interface DraftWeek {
  theme: string;
  days: DraftDay[];
}

/** What a goal family's builder returns; `finishDraft` makes a plan of it. */
export interface DraftPlan {
  title: string;
  /** What the plan does, after the "made without an AI model" sentence. */
  summary: string;
  weeks: DraftWeek[];
}

/** What every goal family's builder starts from. */
export interface PlanContext {
  request: TPlanRequestResolved;
  weeks: number;
  level: Level;
  /** The daily limit in minutes, `floor(dailyHours * 60)`. */
  capMinutes: number;
}

export function planContext(request: TPlanRequestResolved): PlanContext {
  return {
    request,
    weeks: request.durationWeeks,
    level: request.level,
    capMinutes: Math.floor(request.dailyHours * 60),
  };
}

const LEVEL_INDEX: Record<Level, 0 | 1 | 2> = { beginner: 0, intermediate: 1, advanced: 2 };

/** The value for a level from a `[beginner, intermediate, advanced]` triple. */
export function byLevel<T>(level: Level, values: readonly [T, T, T]): T {
  return values[LEVEL_INDEX[level]];
}

/** Minutes rounded to 5, at least 5 and at most `cap`. */
export function fitMinutes(minutes: number, cap: number): number {
  return Math.min(cap, Math.max(5, Math.round(minutes / 5) * 5));
}

/** Day 7 of a plan's last week with its one closing task (race, exam, milestone, review). */
export function finalDay(...task: Parameters<typeof makeTask>): DraftDay {
  return { day: 7, tasks: [makeTask(...task)] };
}

/**
 * A task whose description starts with its metrics in words ("8 km at 6:30/km."), so that the
 * task row, which has no metrics column, still says them.
 */
export function makeTask(
  title: string,
  category: string,
  effortMinutes: number,
  description: string,
  metrics?: TTaskMetrics,
): TPlanTask {
  const phrase = metrics ? metricsPhrase(metrics) : '';
  return {
    title,
    description: phrase ? `${phrase}. ${description}` : description,
    effortMinutes,
    category,
    ...(metrics ? { metrics } : {}),
  };
}

/** Which days (1–7) `count` sessions a week fall on, spread out, day 7 free below 7. */
const SPREAD: Record<number, readonly number[]> = {
  1: [3],
  2: [2, 5],
  3: [1, 3, 5],
  4: [1, 2, 4, 6],
  5: [1, 2, 3, 5, 6],
  6: [1, 2, 3, 4, 5, 6],
  7: [1, 2, 3, 4, 5, 6, 7],
};

export function spreadDays(count: number): readonly number[] {
  return SPREAD[Math.min(7, Math.max(1, Math.round(count)))] ?? SPREAD[3]!;
}

/**
 * Splits a day's minutes into parts by weight, in 5-minute steps of at least 5, together at
 * most `total`; trailing parts that do not fit are left out, the first part takes what rounding
 * left over.
 *
 * @example
 * shareMinutes(60, [2, 1, 1]); // [30, 15, 15]
 * shareMinutes(15, [3, 2, 1, 1]); // [5, 5, 5]
 */
export function shareMinutes(total: number, weights: readonly number[]): number[] {
  const count = Math.min(weights.length, Math.floor(total / 5));
  if (count === 0) return [];
  const used = weights.slice(0, count);
  const sum = used.reduce((a, b) => a + b, 0);
  const parts = used.map((w) => Math.max(5, Math.floor((total * w) / sum / 5) * 5));
  while (parts.reduce((a, b) => a + b, 0) > total) {
    const largest = parts.indexOf(Math.max(...parts));
    parts[largest] = parts[largest]! - 5;
  }
  parts[0] = parts[0]! + Math.floor((total - parts.reduce((a, b) => a + b, 0)) / 5) * 5;
  return parts;
}

/**
 * Which of the ordered phases a week falls in, given each phase's share of the plan.
 *
 * @example
 * phaseOf(1, 8, [0.25, 0.5, 0.25]); // 0
 * phaseOf(8, 8, [0.25, 0.5, 0.25]); // 2
 */
export function phaseOf(week: number, weeks: number, shares: readonly number[]): number {
  const progress = (week - 0.5) / weeks;
  let boundary = 0;
  for (let index = 0; index < shares.length; index++) {
    boundary += shares[index]!;
    if (progress < boundary) return index;
  }
  return shares.length - 1;
}

/** Picks an item of a list by a running index, wrapping around. */
export function cycle<T>(items: readonly T[], index: number): T {
  return items[((index % items.length) + items.length) % items.length]!;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Keeps a day within the cap by dropping its trailing tasks (never its first). */
function fitDay(tasks: readonly TPlanTask[], capMinutes: number): TPlanTask[] {
  const fitted = [...tasks];
  let total = fitted.reduce((sum, t) => sum + t.effortMinutes, 0);
  while (total > capMinutes && fitted.length > 1) total -= fitted.pop()!.effortMinutes;
  return fitted;
}

/** Makes every title unique within its week: stored tasks are keyed by week and title. */
function uniqueTitles(days: DraftDay[]): DraftDay[] {
  const seen = new Map<string, number>();
  return days.map((day) => ({
    ...day,
    tasks: day.tasks.map((task) => {
      const key = task.title.toLowerCase();
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      return count === 1 ? task : { ...task, title: clip(`${task.title} (${count})`, 200) };
    }),
  }));
}

/**
 * Turns a builder's draft into a plan that passes `checkPlan` unchanged: weeks numbered from 1,
 * days sorted and dated with `planDate`, empty days left out, every day within the daily limit,
 * titles unique within a week, text within the schema's limits, and the summary saying that no
 * AI model was used.
 */
export function finishDraft(draft: DraftPlan, context: PlanContext): TPlan {
  const { request, capMinutes } = context;
  const weeks = draft.weeks.slice(0, context.weeks).map((draftWeek, index): TPlanWeek => {
    const week = index + 1;
    const days = uniqueTitles(
      [...draftWeek.days]
        .filter((day) => day.tasks.length > 0)
        .sort((a, b) => a.day - b.day)
        .map((day) => ({ day: day.day, tasks: fitDay(day.tasks, capMinutes) })),
    );
    return {
      week,
      theme: clip(draftWeek.theme, 200),
      days: days.map((day) => ({
        day: day.day,
        date: planDate(request.startDate, week, day.day),
        tasks: day.tasks.map((task) => ({
          ...task,
          title: clip(task.title, 200),
          description: clip(task.description, 2000),
        })),
      })),
    };
  });
  const hours = request.dailyHours;
  return {
    title: clip(draft.title, 200),
    summary: clip(
      `A heuristic plan made without an AI model (offline planner): ${request.durationWeeks} week(s) ` +
        `from ${request.startDate} to ${request.endDate}, at most ${hours} h a day. ${draft.summary}`,
      2000,
    ),
    weeks,
  };
}
