import { addDays, daysBetween, type TPlan, type TPlanRequestResolved } from '@stepwise/ai/schema';
import { type Database, insertGoal, type Kysely } from '@stepwise/db';
import { z } from 'zod';
import { savePlanSnapshot } from './plan-versions.service.js';

const MAX_WEEKS = 52;

export const ZImportedTask = z.object({
  title: z.string().trim().min(1).max(200),
  notes: z.string().trim().max(2000).default(''),
  date: z.iso.date(),
  effortMinutes: z.number().int().min(5).max(720).default(30),
  category: z.string().trim().toLowerCase().min(1).max(40).default('task'),
  completed: z.boolean().default(false),
});

/** `goal.import`: a goal and its dated tasks from another app, stored as one plan. */
export const ZGoalImport = z
  .object({
    goal: z.string().trim().min(3).max(500),
    summary: z.string().trim().max(2000).default(''),
    /** Day 1 of week 1; the earliest task's date when left out. */
    startDate: z.iso.date().optional(),
    level: z.enum(['beginner', 'intermediate', 'advanced']).default('beginner'),
    notes: z.string().trim().max(2000).optional(),
    tasks: z.array(ZImportedTask).min(1).max(1000),
  })
  .superRefine((input, ctx) => {
    const start = input.startDate ?? earliest(input.tasks.map((t) => t.date));
    input.tasks.forEach((task, i) => {
      const offset = daysBetween(start, task.date);
      if (offset < 0 || offset >= MAX_WEEKS * 7) {
        ctx.addIssue({
          code: 'custom',
          path: ['tasks', i, 'date'],
          message: `a task's date must lie within ${MAX_WEEKS} weeks from the start date ${start}`,
        });
      }
    });
  });
export type TGoalImport = z.output<typeof ZGoalImport>;

/** The earliest of ISO dates (they sort as text). */
const earliest = (dates: string[]) => [...dates].sort()[0]!;

/**
 * The imported tasks as a plan snapshot: week and day counted from the start date (rolling
 * 7-day weeks, as generated plans), every week from 1 to the last task's, days in date order,
 * a day's tasks in the order given.
 */
export function importedPlan(input: TGoalImport): {
  plan: TPlan;
  request: TPlanRequestResolved;
  completed: boolean[];
} {
  const startDate = input.startDate ?? earliest(input.tasks.map((t) => t.date));
  const order = input.tasks
    .map((task, i) => ({ task, i, offset: daysBetween(startDate, task.date) }))
    .sort((a, b) => a.offset - b.offset || a.i - b.i);
  const weekCount = Math.floor(order.at(-1)!.offset / 7) + 1;
  const weeks: TPlan['weeks'] = Array.from({ length: weekCount }, (_, w) => ({
    week: w + 1,
    theme: `Week ${w + 1}`,
    days: [],
  }));
  const minutesPerDay = new Map<string, number>();
  for (const { task, offset } of order) {
    const days = weeks[Math.floor(offset / 7)]!.days;
    const day = (offset % 7) + 1;
    let planDay = days.at(-1);
    if (planDay?.day !== day) {
      planDay = { day, date: task.date, tasks: [] };
      days.push(planDay);
    }
    planDay.tasks.push({
      title: task.title,
      description: task.notes,
      effortMinutes: task.effortMinutes,
      category: task.category,
    });
    minutesPerDay.set(task.date, (minutesPerDay.get(task.date) ?? 0) + task.effortMinutes);
  }
  const busiestDay = Math.max(...minutesPerDay.values());
  return {
    plan: { title: input.goal.slice(0, 200), summary: input.summary, weeks },
    request: {
      goal: input.goal,
      durationWeeks: weekCount,
      startDate,
      endDate: addDays(startDate, weekCount * 7 - 1),
      dailyHours: Math.min(12, Math.max(0.25, Math.ceil(busiestDay / 15) / 4)),
      level: input.level,
      ...(input.notes ? { notes: input.notes } : {}),
    },
    // In plan order (weeks, days, then tasks), as `placeTasks` numbers positions.
    completed: order.map(({ task }) => task.completed),
  };
}

/**
 * Stores an imported goal in one transaction: the goal (active), its plan as version 1
 * (source `imported`) and its tasks, those marked done completed now.
 */
export async function importGoal(
  db: Kysely<Database>,
  input: { userId: string } & TGoalImport,
): Promise<{ goalId: string; planVersionId: string; taskCount: number }> {
  const { plan, request, completed } = importedPlan(input);
  const now = new Date();
  return db.transaction().execute(async (trx) => {
    const goal = await insertGoal(trx, {
      userId: input.userId,
      title: plan.title,
      requirements: request,
      status: 'active',
    });
    const saved = await savePlanSnapshot(trx, {
      goalId: goal.id,
      userId: input.userId,
      plan,
      source: 'imported',
      completedAt: completed.map((done) => (done ? now : null)),
    });
    return { goalId: goal.id, planVersionId: saved.planVersion.id, taskCount: saved.tasks.length };
  });
}
