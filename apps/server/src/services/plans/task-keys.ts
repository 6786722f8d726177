import type { TPlacedTask } from '@stepwise/ai/schema';

const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'task';

/**
 * A key per task that stays the same when a revision keeps a task in its week (even if it
 * moves to another day), so completion carries over: `w<week>:<title slug>[:n]`.
 */
export function assignTaskKeys(tasks: TPlacedTask[]): string[] {
  const seen = new Map<string, number>();
  return tasks.map((task) => {
    const base = `w${task.week}:${slug(task.title)}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}:${count + 1}`;
  });
}
