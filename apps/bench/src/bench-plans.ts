import { addDays, placeTasks, type TPlan } from '@stepwise/ai/schema';
import {
  type Database,
  insertGoal,
  type Kysely,
  type PlanTaskInput,
  savePlanVersion,
} from '@stepwise/db';

const CATEGORIES = ['running', 'strength', 'mobility', 'reading', 'practice'];

/**
 * A valid plan snapshot (it passes `ZPlan`) of `weeks` × `daysPerWeek` × `tasksPerDay` tasks,
 * with realistic text lengths, so stored rows and responses have a plausible size.
 */
export function makePlan(input: {
  weeks: number;
  daysPerWeek: number;
  tasksPerDay: number;
  start?: string;
}): TPlan {
  const start = input.start ?? '2026-01-05';
  let n = 0;
  return {
    title: `Bench plan, ${input.weeks * input.daysPerWeek * input.tasksPerDay} tasks`,
    summary: 'A generated plan used by the CRUD benchmark: steady progress, one rest day a week.',
    weeks: Array.from({ length: input.weeks }, (_, w) => ({
      week: w + 1,
      theme: `Week ${w + 1}: build the base and keep it easy`,
      days: Array.from({ length: input.daysPerWeek }, (_, d) => ({
        day: d + 1,
        date: addDays(start, w * 7 + d),
        tasks: Array.from({ length: input.tasksPerDay }, () => {
          n++;
          return {
            title: `Session ${n}: easy run with strides`,
            description:
              'Warm up for ten minutes, run at a conversational pace, finish with four strides.',
            effortMinutes: 30 + (n % 4) * 15,
            category: CATEGORIES[n % CATEGORIES.length]!,
          };
        }),
      })),
    })),
  };
}

// Mirrors apps/server/src/services/plans/task-keys.ts (not exported by the server), so keys
// written here and by the reference server are the ones Stepwise computes.
const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'task';

/** The rows a plan snapshot stores: placed in order, keyed `w<week>:<title slug>[:n]`. */
export function planTaskRows(plan: TPlan): PlanTaskInput[] {
  const seen = new Map<string, number>();
  return placeTasks(plan).map((task) => {
    const base = `w${task.week}:${slug(task.title)}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return {
      taskKey: count === 0 ? base : `${base}:${count + 1}`,
      week: task.week,
      day: task.day,
      date: task.date,
      title: task.title,
      notes: task.description,
      category: task.category,
      effortMinutes: task.effortMinutes,
      position: task.position,
    };
  });
}

/** An active goal of `userId` whose current plan version (1) is `plan`, through the db package. */
export async function seedGoalWithPlan(
  db: Kysely<Database>,
  input: { userId: string; plan: TPlan },
): Promise<{ goalId: string; taskIds: string[] }> {
  const goal = await insertGoal(db, {
    userId: input.userId,
    title: input.plan.title,
    requirements: { goal: input.plan.title, durationWeeks: input.plan.weeks.length },
    status: 'active',
  });
  const saved = await db.transaction().execute((trx) =>
    savePlanVersion(trx, {
      goalId: goal.id,
      userId: input.userId,
      source: 'generated',
      title: input.plan.title,
      summary: input.plan.summary,
      plan: input.plan,
      generationId: null,
      tasks: planTaskRows(input.plan),
    }),
  );
  return { goalId: goal.id, taskIds: saved.tasks.map((t) => t.id) };
}
