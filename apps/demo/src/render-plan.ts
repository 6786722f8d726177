import type { PlanProgressEvent } from '@stepwise/client';

export type CompletedEvent = Extract<PlanProgressEvent, { type: 'completed' }>;
export type FailedEvent = Extract<PlanProgressEvent, { type: 'failed' }>;
export type TaskEvent = Extract<PlanProgressEvent, { type: 'task' }>;
type StoredTask = CompletedEvent['tasks'][number];

/** Every phase a generation goes through, in order; the progress bar counts them. */
export const PHASES = [
  'queued',
  'prompting',
  'generating',
  'parsing',
  'validating',
  'saving',
  'completed',
] as const;
export type DemoPhase = (typeof PHASES)[number];

export interface RenderOptions {
  /** ANSI colours and the block-character bar; off for plain lines. */
  color: boolean;
  /** Terminal width: long titles are cut to fit. Unset, nothing is cut. */
  columns?: number;
}

const ansi = (open: number, close: number) => (color: boolean, text: string) =>
  color ? `\x1b[${open}m${text}\x1b[${close}m` : text;
const bold = ansi(1, 22);
const dim = ansi(2, 22);
const red = ansi(31, 39);
const green = ansi(32, 39);
const yellow = ansi(33, 39);
const cyan = ansi(36, 39);

/** Removes ANSI escapes, e.g. to measure or assert on rendered text. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what we strip.
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * `45 min`, `2 h`, `7 h 30 min`.
 *
 * @example
 * formatMinutes(450); // '7 h 30 min'
 */
export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * One line showing how far a generation is: a bar when coloured, else `phase 3/7: generating`.
 *
 * @example
 * renderProgress('generating', { color: false, tasks: 4 }); // 'phase 3/7: generating (4 tasks)'
 */
export function renderProgress(
  phase: DemoPhase,
  options: RenderOptions & { attempt?: number; tasks?: number; width?: number },
): string {
  const step = PHASES.indexOf(phase) + 1;
  const details = [
    options.tasks ? plural(options.tasks, 'task') : undefined,
    options.attempt && options.attempt > 1 ? `attempt ${options.attempt}` : undefined,
  ].filter(Boolean);
  const suffix = details.length ? ` (${details.join(', ')})` : '';
  if (!options.color) return `phase ${step}/${PHASES.length}: ${phase}${suffix}`;

  const width = options.width ?? 28;
  const filled = Math.round((step / PHASES.length) * width);
  const paint = phase === 'completed' ? green : cyan;
  const bar = paint(true, '█'.repeat(filled)) + dim(true, '░'.repeat(width - filled));
  return `${bar} ${step}/${PHASES.length} ${bold(true, phase)}${dim(true, suffix)}`;
}

/**
 * One streamed task, as it arrives.
 *
 * @example
 * renderTaskLine(event, { color: false }); // '  #1  W1 D1  2025-06-02  Learn the moves (30 min, reading)'
 */
export function renderTaskLine(event: TaskEvent, options: RenderOptions): string {
  const { task } = event;
  const number = `#${event.index + 1}`.padStart(4);
  const where = `W${task.week} D${task.day}`;
  const tail = ` (${task.effortMinutes} min, ${task.category})`;
  const lead = `${number}  ${where}  ${task.date}  `;
  const room = options.columns
    ? Math.max(12, options.columns - lead.length - tail.length)
    : undefined;
  const title = fit(task.title, room);
  const c = options.color;
  return `${green(c, number)}  ${dim(c, where)}  ${dim(c, task.date)}  ${title}${dim(c, tail)}`;
}

/**
 * Week themes by week number, read from a stored plan snapshot
 * (`{ weeks: [{ week, theme, ... }] }`); anything malformed is skipped.
 */
export function weekThemes(snapshot: Record<string, unknown>): Map<number, string> {
  const themes = new Map<number, string>();
  const weeks = Array.isArray(snapshot.weeks) ? (snapshot.weeks as unknown[]) : [];
  weeks.forEach((week, i) => {
    if (typeof week !== 'object' || week === null) return;
    const { week: number, theme } = week as { week?: unknown; theme?: unknown };
    if (typeof theme === 'string' && theme) {
      themes.set(typeof number === 'number' ? number : i + 1, theme);
    }
  });
  return themes;
}

/**
 * The final plan as one table per week: a `Week N · theme` heading, then
 * `date | title | minutes | category` rows in plan order.
 */
export function renderPlanTable(
  completed: Pick<CompletedEvent, 'plan' | 'tasks'>,
  options: RenderOptions,
): string[] {
  const c = options.color;
  const themes = weekThemes(completed.plan.plan);
  const tasks = [...completed.tasks].sort((a, b) => a.position - b.position);
  const byWeek = new Map<number | null, StoredTask[]>();
  for (const week of [...themes.keys()].sort((a, b) => a - b)) byWeek.set(week, []);
  for (const task of tasks) {
    const group = byWeek.get(task.week) ?? [];
    group.push(task);
    byWeek.set(task.week, group);
  }

  const dateWidth = Math.max(4, ...tasks.map((t) => taskDate(t).length));
  const minutesWidth = Math.max(3, ...tasks.map((t) => String(t.effortMinutes ?? '').length));
  const categoryWidth = Math.max(8, ...tasks.map((t) => (t.category ?? '').length));
  const fixedWidth = 2 + dateWidth + 2 + 2 + minutesWidth + 2 + categoryWidth;
  const titleRoom = options.columns ? Math.max(12, options.columns - fixedWidth) : undefined;
  const titleWidth = Math.min(
    Math.max(5, ...tasks.map((t) => t.title.length)),
    titleRoom ?? Number.POSITIVE_INFINITY,
  );
  const row = (date: string, title: string, minutes: string, category: string) =>
    `  ${date.padEnd(dateWidth)}  ${fit(title, titleWidth).padEnd(titleWidth)}  ${minutes.padStart(minutesWidth)}  ${category}`.trimEnd();

  const lines: string[] = [];
  const weeks = [...byWeek.keys()].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  for (const week of weeks) {
    const group = byWeek.get(week) ?? [];
    const theme = week === null ? undefined : themes.get(week);
    const total = group.reduce((sum, t) => sum + (t.effortMinutes ?? 0), 0);
    const name = week === null ? 'Unscheduled' : `Week ${week}`;
    lines.push('');
    lines.push(
      `${bold(c, name)}${theme ? ` · ${theme}` : ''}${dim(c, ` (${plural(group.length, 'task')}, ${formatMinutes(total)})`)}`,
    );
    if (group.length === 0) {
      lines.push(dim(c, '  (no tasks)'));
      continue;
    }
    lines.push(dim(c, row('date', 'title', 'min', 'category')));
    for (const task of group) {
      lines.push(
        row(taskDate(task), task.title, String(task.effortMinutes ?? ''), task.category ?? ''),
      );
    }
  }
  return lines;
}

/** The closing line: which planner wrote the plan, how many tasks, the total effort. */
export function renderFooter(
  completed: Pick<CompletedEvent, 'tasks' | 'offline' | 'fixes'>,
  options: RenderOptions,
): string {
  const c = options.color;
  const total = completed.tasks.reduce((sum, t) => sum + (t.effortMinutes ?? 0), 0);
  const planner = completed.offline
    ? yellow(c, 'offline planner (deterministic, no LLM)')
    : green(c, 'LLM planner');
  const fixes = completed.fixes.length
    ? ` · ${plural(completed.fixes.length, 'fix', 'fixes')} by the constraint check`
    : '';
  const tasks = plural(completed.tasks.length, 'task');
  return `${bold(c, 'Planner:')} ${planner} · ${tasks} · total effort ${bold(c, formatMinutes(total))}${fixes}`;
}

/**
 * What is being asked for, e.g. `Planning: Learn chess (2 weeks, 1 h a day, beginner)`.
 */
export function renderRequest(
  request: { goal: string; weeks?: number; hours?: number; level?: string },
  options: RenderOptions,
): string {
  const { weeks, hours, level } = request;
  const details = [
    weeks !== undefined ? plural(weeks, 'week') : '',
    hours !== undefined ? `${formatMinutes(Math.round(hours * 60))} a day` : '',
    level ?? '',
  ].filter(Boolean);
  const tail = details.length ? ` (${details.join(', ')})` : '';
  return `Planning: ${bold(options.color, request.goal)}${tail}`;
}

/** The plan's title and summary, above the tables. */
export function renderHeading(
  completed: Pick<CompletedEvent, 'plan' | 'goal'>,
  options: RenderOptions,
): string[] {
  const title = completed.plan.title || completed.goal.title;
  const lines = ['', bold(options.color, title)];
  if (completed.plan.summary) lines.push(completed.plan.summary);
  return lines;
}

/** A secondary line (which server, what is happening), dimmed on a terminal. */
export function renderNote(text: string, options: RenderOptions): string {
  return dim(options.color, text);
}

/** The line printed when a generation ends with `failed`. */
export function renderFailure(
  failed: Pick<FailedEvent, 'code' | 'message'>,
  options: RenderOptions,
) {
  return `${red(options.color, `✗ generation failed: ${failed.code}`)} — ${failed.message}`;
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

const taskDate = (task: StoredTask) => task.startDate ?? task.dueDate ?? '';

function fit(text: string, width: number | undefined): string {
  if (width === undefined || text.length <= width) return text;
  return width <= 1 ? '…' : `${text.slice(0, width - 1)}…`;
}
