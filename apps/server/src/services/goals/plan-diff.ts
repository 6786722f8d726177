import { placeTasks, type TPlacedTask, type TPlan } from '@stepwise/ai/schema';
import { assignTaskKeys } from '../plans/task-keys.js';

export interface DiffTask {
  taskKey: string;
  week: number;
  day: number;
  date: string;
  title: string;
  description: string;
  effortMinutes: number;
  category: string;
}

const COMPARED = ['title', 'description', 'effortMinutes', 'category', 'day', 'date'] as const;
export type DiffField = (typeof COMPARED)[number];

export interface PlanDiffWeek {
  week: number;
  /** Set when the week's theme differs (a week only in one version has one side null). */
  theme: { before: string | null; after: string | null } | null;
  added: DiffTask[];
  removed: DiffTask[];
  changed: { taskKey: string; fields: DiffField[]; before: DiffTask; after: DiffTask }[];
}

export interface PlanDiff {
  added: number;
  removed: number;
  changed: number;
  /** Only weeks with a difference, in week order. */
  weeks: PlanDiffWeek[];
}

/** A snapshot's tasks keyed the way stored tasks are (`assignTaskKeys` over `placeTasks`). */
function keyedTasks(plan: TPlan): Map<string, DiffTask> {
  const placed = placeTasks(plan);
  const keys = assignTaskKeys(placed);
  return new Map(placed.map((task, i) => [keys[i]!, toDiffTask(keys[i]!, task)]));
}

function toDiffTask(taskKey: string, task: TPlacedTask): DiffTask {
  const { week, day, date, title, description, effortMinutes, category } = task;
  return { taskKey, week, day, date, title, description, effortMinutes, category };
}

/**
 * What changed from one plan snapshot to another: tasks matched by task key (week + title
 * slug, as stored tasks are), grouped by week. A task whose key moved week counts as removed
 * from the old week and added to the new one, as it does for completion.
 *
 * @example
 * diffPlans(v1.plan, v2.plan).weeks[0]; // { week: 1, added: [...], removed: [], changed: [...] }
 */
export function diffPlans(from: TPlan, to: TPlan): PlanDiff {
  const before = keyedTasks(from);
  const after = keyedTasks(to);
  const weeks = new Map<number, PlanDiffWeek>();
  const weekOf = (week: number) => {
    let entry = weeks.get(week);
    if (!entry) {
      entry = { week, theme: null, added: [], removed: [], changed: [] };
      weeks.set(week, entry);
    }
    return entry;
  };
  for (const [key, task] of after) {
    const old = before.get(key);
    if (!old) {
      weekOf(task.week).added.push(task);
      continue;
    }
    const fields = COMPARED.filter((field) => old[field] !== task[field]);
    if (fields.length > 0)
      weekOf(task.week).changed.push({ taskKey: key, fields, before: old, after: task });
  }
  for (const [key, task] of before) {
    if (!after.has(key)) weekOf(task.week).removed.push(task);
  }
  const themesBefore = new Map(from.weeks.map((w) => [w.week, w.theme]));
  const themesAfter = new Map(to.weeks.map((w) => [w.week, w.theme]));
  for (const week of new Set([...themesBefore.keys(), ...themesAfter.keys()])) {
    const themeBefore = themesBefore.get(week) ?? null;
    const themeAfter = themesAfter.get(week) ?? null;
    if (themeBefore !== themeAfter) weekOf(week).theme = { before: themeBefore, after: themeAfter };
  }
  const sorted = [...weeks.values()].sort((a, b) => a.week - b.week);
  return {
    added: sorted.reduce((n, w) => n + w.added.length, 0),
    removed: sorted.reduce((n, w) => n + w.removed.length, 0),
    changed: sorted.reduce((n, w) => n + w.changed.length, 0),
    weeks: sorted,
  };
}
