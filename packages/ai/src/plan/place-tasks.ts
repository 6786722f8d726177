import type { TPlacedTask, TPlan } from './plan.schema.js';

/**
 * Every task of a plan with its week, day, date and 0-based position, in plan order: the
 * `tasks` a `completed` event carries and what is stored.
 *
 * @example
 * placeTasks(plan)[0]; // { title, …, week: 1, day: 1, date: '2025-01-06', position: 0 }
 */
export function placeTasks(plan: TPlan): TPlacedTask[] {
  const placed: TPlacedTask[] = [];
  for (const week of plan.weeks) {
    for (const day of week.days) {
      for (const task of day.tasks) {
        placed.push({
          ...task,
          week: week.week,
          day: day.day,
          date: day.date,
          position: placed.length,
        });
      }
    }
  }
  return placed;
}
