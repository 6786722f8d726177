import type { TPlan } from '../plan/plan.schema.js';
import { planDate } from '../plan/plan-dates.js';

export interface ExamplePlanOptions {
  weeks?: number;
  /** Day numbers used in every week (default `[1, 3, 5]`). */
  days?: number[];
  tasksPerDay?: number;
  effortMinutes?: number;
  startDate?: string;
}

/**
 * A small valid plan for tests, dated from `startDate` like `checkPlan` dates it, so it passes
 * the check unchanged when the request allows `tasksPerDay * effortMinutes` a day. Task titles
 * are `W{week}D{day}T{n}`.
 *
 * @example
 * mock.script(planSteps.streamJson(examplePlan({ weeks: 2, startDate: request.startDate })));
 */
export function examplePlan(options: ExamplePlanOptions = {}): TPlan {
  const weekCount = options.weeks ?? 2;
  const days = options.days ?? [1, 3, 5];
  const tasksPerDay = options.tasksPerDay ?? 2;
  const startDate = options.startDate ?? '2025-01-06';
  return {
    title: 'Example plan',
    summary: 'A plan used in tests.',
    weeks: Array.from({ length: weekCount }, (_, w) => ({
      week: w + 1,
      theme: `Theme ${w + 1}`,
      days: days.map((day) => ({
        day,
        date: planDate(startDate, w + 1, day),
        tasks: Array.from({ length: tasksPerDay }, (_, t) => ({
          title: `W${w + 1}D${day}T${t + 1}`,
          description: `Task ${t + 1} of week ${w + 1} day ${day}`,
          effortMinutes: options.effortMinutes ?? 20,
          category: 'practice',
        })),
      })),
    })),
  };
}
