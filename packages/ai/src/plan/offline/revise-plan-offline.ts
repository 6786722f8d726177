import { DomainError } from '@stepwise/core';
import type { TPlan, TPlanTask, TTaskMetrics } from '../plan.schema.js';
import { planDate, weekdayName } from '../plan-dates.js';
import type { PlanRevision, TPlanRequestResolved } from '../plan-request.schema.js';
import { restateMetrics } from './format-metrics.js';
import { parseRevisionInstructions, type RevisionChange } from './revision-instructions.js';

interface Item {
  task: TPlanTask;
  /** The task as the current plan has it. */
  original: TPlanTask;
  /** Done already: never changed, moved or dropped. */
  done: boolean;
  /** A race or exam day: stays on its date. */
  event: boolean;
}

interface WorkDay {
  day: number;
  items: Item[];
}

interface WorkWeek {
  theme: string;
  days: WorkDay[];
  /**
   * Left exactly as it is: a done task shares its title with another task of the week, and
   * stored completion follows the n-th task of a title, which moving tasks could reshuffle.
   */
  frozen: boolean;
}

interface Outcome {
  /** What was done, for the summary; null when the change had nothing to do. */
  applied: string | null;
  /** Why nothing was done. */
  reason?: string;
}

const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

/** What the offline planner can do with an instruction, for error messages and the docs. */
export const UNDERSTOOD_INSTRUCTIONS = [
  'easier / lighter / less volume',
  'harder / more intense',
  'only N days a week / fewer days',
  'no training on weekends / rest day on <weekday>',
  'shorter sessions / N minutes a day',
  'more practice tests',
  'extend by N weeks / I am behind, push it back',
];

const EVENT_TITLE = /\b(race day|exam day)\b/i;
const TEST_TITLE =
  /\b(practice test|mock (exam|test)|diagnostic test|timed test|full[- ]length|practice exam)\b/i;
const KEY_TITLE = /\b(long (run|ride)|endurance swim|test|exam|milestone|performance)\b/i;
const QUALITY_TITLE = /\b(intervals?|tempo|threshold|sweet-spot|hill repeats)\b/i;

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function weekdayOf(date: string): number {
  return WEEKDAY_NAMES.indexOf(weekdayName(date));
}

/** A practice test (not the review of one). */
function isTest(task: TPlanTask): boolean {
  return task.category === 'test' || (TEST_TITLE.test(task.title) && !/^review/i.test(task.title));
}

function minutesOf(items: readonly Item[]): number {
  return items.reduce((sum, item) => sum + item.task.effortMinutes, 0);
}

const movable = (item: Item) => !item.done && !item.event;

function toWorkWeeks(plan: TPlan, completed: ReadonlySet<number>): WorkWeek[] {
  let position = 0;
  return plan.weeks.map((week) => {
    const days = week.days.map((day) => ({
      day: day.day,
      items: day.tasks.map((task) => ({
        task,
        original: task,
        done: completed.has(position++),
        event: task.category === 'race' || task.category === 'exam' || EVENT_TITLE.test(task.title),
      })),
    }));
    const items = days.flatMap((day) => day.items);
    const frozen = items.some(
      (item) =>
        item.done &&
        items.filter((other) => slug(other.task.title) === slug(item.task.title)).length > 1,
    );
    return { theme: week.theme, days, frozen };
  });
}

function round5(minutes: number): number {
  return Math.max(5, Math.round(minutes / 5) * 5);
}

function scaleMetrics(metrics: TTaskMetrics, factor: number): TTaskMetrics {
  const scaled: TTaskMetrics = { ...metrics };
  if (
    metrics.reps !== undefined &&
    metrics.sets === undefined &&
    metrics.distanceKm !== undefined
  ) {
    const repKm = metrics.distanceKm / metrics.reps;
    scaled.reps = Math.max(1, Math.round(metrics.reps * factor));
    scaled.distanceKm = Number((scaled.reps * repKm).toFixed(2));
    return scaled;
  }
  if (metrics.distanceKm !== undefined) {
    const step = metrics.distanceKm >= 20 ? 1 : metrics.distanceKm >= 2 ? 0.5 : 0.1;
    scaled.distanceKm = Math.max(
      step,
      Number((Math.round((metrics.distanceKm * factor) / step) * step).toFixed(2)),
    );
  }
  if (metrics.reps !== undefined) scaled.reps = Math.max(1, Math.round(metrics.reps * factor));
  if (metrics.questions !== undefined)
    scaled.questions = Math.max(1, Math.round(metrics.questions * factor));
  if (metrics.words !== undefined)
    scaled.words = Math.max(50, Math.round((metrics.words * factor) / 50) * 50);
  return scaled;
}

/** A task with its effort set to `minutes` and its metrics scaled by the same ratio. */
function resize(task: TPlanTask, minutes: number): TPlanTask {
  if (minutes === task.effortMinutes) return task;
  const resized = { ...task, effortMinutes: minutes };
  if (!task.metrics) return resized;
  return {
    ...restateMetrics(task, scaleMetrics(task.metrics, minutes / task.effortMinutes)),
    effortMinutes: minutes,
  };
}

function importance(task: TPlanTask): number {
  if (KEY_TITLE.test(task.title) || task.category === 'test' || task.category === 'milestone')
    return 3;
  if (QUALITY_TITLE.test(task.title)) return 2;
  return 1;
}

/** Repeats the week the person is in `extra` times; later weeks move back. */
function extend(weeks: WorkWeek[], extra: number, endDate: string): Outcome {
  if (extra <= 0) return { applied: null, reason: 'the plan cannot grow past 52 weeks' };
  const lastDone = weeks.findLastIndex((w) => w.days.some((d) => d.items.some((i) => i.done)));
  const firstOpen = weeks.findIndex((w) => w.days.some((d) => d.items.some(movable)));
  let at = Math.max(lastDone, firstOpen === -1 ? weeks.length - 1 : firstOpen);
  if (weeks[at]?.days.some((d) => d.items.some((i) => i.event))) at--;
  if (at < 0 || at < lastDone || weeks[at]!.frozen) {
    return { applied: null, reason: 'done tasks or the event sit where the extra weeks would go' };
  }
  const source = weeks[at]!;
  const copies = Array.from(
    { length: extra },
    (): WorkWeek => ({
      theme: `${source.theme.replace(/ \(repeated\)$/, '')} (repeated)`,
      frozen: false,
      days: source.days
        .map((day) => ({
          day: day.day,
          items: day.items
            .filter((i) => !i.event)
            .map((i) => ({ task: i.task, original: i.task, done: false, event: false })),
        }))
        .filter((day) => day.items.length > 0),
    }),
  );
  weeks.splice(at + 1, 0, ...copies);
  return {
    applied: `extended by ${extra} week(s): week ${at + 1} is repeated and everything after it moves back, so the plan now ends on ${endDate}`,
  };
}

function limitDays(weeks: WorkWeek[], target: number): Outcome {
  let removed = 0;
  for (const week of weeks) {
    if (week.frozen) continue;
    const active = week.days.filter((d) => d.items.length > 0);
    if (active.length <= target) continue;
    const mandatory = active.filter((d) => d.items.some((i) => !movable(i)));
    const rest = active
      .filter((d) => !mandatory.includes(d))
      .map((d) => ({
        day: d,
        score: Math.max(...d.items.map((i) => importance(i.task))) + minutesOf(d.items) / 10_000,
      }))
      .sort((a, b) => b.score - a.score || a.day.day - b.day.day);
    const keep = new Set([
      ...mandatory,
      ...rest.slice(0, Math.max(0, target - mandatory.length)).map((r) => r.day),
    ]);
    for (const day of active) {
      if (!keep.has(day)) {
        removed += day.items.length;
        day.items = [];
      }
    }
  }
  if (removed === 0)
    return { applied: null, reason: `no week has more than ${target} training days` };
  return {
    applied: `at most ${target} training day(s) a week: kept key sessions (long sessions, tests, events) and done tasks, removed ${removed} other task(s)`,
  };
}

function avoidWeekdays(
  weeks: WorkWeek[],
  weekdays: readonly number[],
  startDate: string,
  capMinutes: number,
): Outcome {
  const avoided = new Set(weekdays);
  if (avoided.size >= 6)
    return { applied: null, reason: 'at least two days a week must stay free for training' };
  const startWeekday = weekdayOf(startDate);
  const weekdayOfDay = (day: number) => (startWeekday + day - 1) % 7;
  let moved = 0;
  let dropped = 0;
  let eventsKept = 0;
  for (const week of weeks) {
    if (week.frozen) continue;
    for (const day of [...week.days]) {
      if (!avoided.has(weekdayOfDay(day.day))) continue;
      const leaving = day.items.filter(movable);
      if (day.items.some((i) => i.event)) eventsKept++;
      if (leaving.length === 0) continue;
      day.items = day.items.filter((i) => !movable(i));
      const taken = new Set(week.days.filter((d) => d.items.length > 0).map((d) => d.day));
      const free = [1, 2, 3, 4, 5, 6, 7]
        .filter((d) => !taken.has(d) && !avoided.has(weekdayOfDay(d)))
        .sort((a, b) => Math.abs(a - day.day) - Math.abs(b - day.day) || a - b)[0];
      if (free !== undefined) {
        const target = week.days.find((d) => d.day === free);
        if (target) target.items.push(...leaving);
        else week.days.push({ day: free, items: leaving });
        moved += leaving.length;
        continue;
      }
      for (const item of leaving) {
        const host = week.days
          .filter((d) => d.items.length > 0 && !avoided.has(weekdayOfDay(d.day)))
          .map((d) => ({ d, spare: capMinutes - minutesOf(d.items) }))
          .filter(({ spare }) => spare >= item.task.effortMinutes)
          .sort((a, b) => b.spare - a.spare)[0];
        if (host) {
          host.d.items.push(item);
          moved++;
        } else {
          dropped++;
        }
      }
    }
    week.days.sort((a, b) => a.day - b.day);
  }
  const names = [...avoided]
    .sort()
    .map((d) => WEEKDAY_NAMES[d]!)
    .join(' and ');
  if (moved + dropped === 0) return { applied: null, reason: `nothing is planned on ${names}` };
  return {
    applied:
      `nothing on ${names}: moved ${moved} task(s) to other days` +
      (dropped > 0 ? `, dropped ${dropped} that did not fit in any day` : '') +
      (eventsKept > 0 ? '; race and exam days keep their dates' : ''),
  };
}

function shorten(weeks: WorkWeek[], maxMinutes: number | null, capMinutes: number): Outcome {
  let changed = 0;
  const limit = maxMinutes === null ? null : Math.min(maxMinutes, capMinutes);
  for (const week of weeks) {
    if (week.frozen) continue;
    for (const day of week.days) {
      const moving = day.items.filter(movable);
      if (moving.length === 0) continue;
      let factor = 0.75;
      if (limit !== null) {
        const fixed = minutesOf(day.items.filter((i) => !movable(i)));
        const total = minutesOf(moving);
        if (fixed + total <= limit) continue;
        factor = Math.max(0, limit - fixed) / total;
      }
      for (const item of moving) {
        const minutes = Math.max(5, Math.floor((item.task.effortMinutes * factor) / 5) * 5);
        if (minutes !== item.task.effortMinutes) changed++;
        item.task = resize(item.task, minutes);
      }
      if (limit !== null) {
        while (minutesOf(day.items) > limit && day.items.filter(movable).length > 1) {
          const last = day.items.findLastIndex(movable);
          day.items.splice(last, 1);
          changed++;
        }
      }
    }
  }
  if (changed === 0) {
    return {
      applied: null,
      reason:
        limit === null
          ? 'sessions are already as short as they can be'
          : `every day is already within ${limit} minutes`,
    };
  }
  return {
    applied: limit === null ? 'sessions about 25% shorter' : `at most ${limit} minutes a day`,
  };
}

function changeVolume(
  weeks: WorkWeek[],
  direction: 'easier' | 'harder',
  capMinutes: number,
): Outcome {
  let before = 0;
  let after = 0;
  for (const week of weeks) {
    if (week.frozen) continue;
    for (const day of week.days) {
      for (const item of day.items) {
        if (!movable(item)) continue;
        const minutes = item.task.effortMinutes;
        before += minutes;
        let next: number;
        if (direction === 'easier') {
          next = Math.min(minutes - 5, round5(minutes * 0.8));
          if (next < 5) next = minutes;
        } else {
          const spare = capMinutes - minutesOf(day.items);
          next = Math.min(minutes + spare, Math.max(minutes + 5, round5(minutes * 1.15)));
        }
        item.task = resize(item.task, next);
        after += next;
      }
    }
  }
  if (after === before) {
    return {
      applied: null,
      reason:
        direction === 'easier'
          ? 'every task is already at the 5-minute minimum'
          : 'every day is already at your daily limit',
    };
  }
  const percent = Math.round((Math.abs(after - before) / before) * 100);
  return {
    applied:
      direction === 'easier'
        ? `lighter: about ${percent}% less volume (shorter sessions and distances)`
        : `harder: about ${percent}% more volume where the daily limit allows`,
  };
}

function addPracticeTests(weeks: WorkWeek[], capMinutes: number): Outcome {
  const existing = weeks.flatMap((w) => w.days.flatMap((d) => d.items)).find((i) => isTest(i.task));
  const minutes = Math.min(capMinutes, existing?.task.effortMinutes ?? capMinutes);
  let added = 0;
  weeks.forEach((week, index) => {
    if (week.frozen || (index === 0 && weeks.length > 1)) return;
    const eventDays = new Set(
      week.days.filter((d) => d.items.some((i) => i.event)).map((d) => d.day),
    );
    const candidate = week.days
      .filter(
        (d) =>
          d.items.length > 0 &&
          d.items.every(movable) &&
          !d.items.some((i) => isTest(i.task)) &&
          !eventDays.has(d.day + 1),
      )
      .sort((a, b) => minutesOf(b.items) - minutesOf(a.items) || b.day - a.day)[0];
    if (!candidate) return;
    const test: TPlanTask = {
      title: existing ? 'Extra timed practice test' : 'Timed self-test',
      description:
        'Under real timing, without notes (timed sections if a full test does not fit today); review every mistake afterwards.',
      effortMinutes: minutes,
      category: 'test',
    };
    candidate.items = [{ task: test, original: test, done: false, event: false }];
    added++;
  });
  if (added === 0) return { applied: null, reason: 'no week has a free study day left for a test' };
  return {
    applied: `${added} extra timed practice test(s), one a week${weeks.length > 1 ? ' from week 2' : ''}`,
  };
}

function describe(change: RevisionChange): string {
  switch (change.kind) {
    case 'volume':
      return change.direction;
    case 'training-days':
      return `${change.days} day(s) a week`;
    case 'fewer-days':
      return 'fewer days';
    case 'rest-weekdays':
      return `free ${change.weekdays.map((d) => WEEKDAY_NAMES[d]).join(' and ')}`;
    case 'shorter-sessions':
      return change.maxMinutes === null ? 'shorter sessions' : `${change.maxMinutes} minutes a day`;
    case 'practice-tests':
      return 'more practice tests';
    case 'extend':
      return `${change.weeks} more week(s)`;
  }
}

/**
 * A theme that names a session by its title ("Build: long run 12 km" for "Long run: 12 km")
 * follows that session's new title.
 */
function restateTheme(week: WorkWeek): string {
  const phrase = (title: string) => title.toLowerCase().replace(':', '');
  let theme = week.theme;
  for (const item of week.days.flatMap((d) => d.items)) {
    if (item.task.title !== item.original.title) {
      theme = theme.replace(phrase(item.original.title), phrase(item.task.title));
    }
  }
  return theme;
}

const REVISED_PREFIX = /^Revised without an AI model \(offline planner\):[^\n]*\n\n/;

/**
 * Applies a revision's instructions to its current plan without an LLM. Understood, in this
 * order: extend by N weeks or "I'm behind" (the week the person is in is repeated and the rest
 * moves back), only N / fewer days a week (the least important days go; long sessions, tests,
 * events and done tasks stay), free weekends or weekdays (sessions move to free days, or into
 * days with room), shorter sessions or N minutes a day, easier (−20%) or harder (+15% within
 * the daily limit), more practice tests (one extra a week from week 2).
 *
 * Done tasks, and race or exam days, are never changed; weeks where a done task shares its
 * title with another task are left alone. Metrics are scaled with effort and restated in the
 * text. The summary starts with what was applied.
 *
 * Throws `DomainError('BAD_REQUEST')` when no instruction is understood, or when the
 * understood ones would not change the plan: an unchanged plan is never stored as revised.
 */
export function reviseOfflinePlan(request: TPlanRequestResolved, revision: PlanRevision): TPlan {
  const changes = parseRevisionInstructions(revision.instructions);
  if (changes.length === 0) {
    throw new DomainError(
      'BAD_REQUEST',
      `The offline planner (no AI model is configured) did not understand “${revision.instructions.slice(0, 200)}”. ` +
        `It understands: ${UNDERSTOOD_INSTRUCTIONS.join('; ')}.`,
      { details: { understood: UNDERSTOOD_INSTRUCTIONS } },
    );
  }
  const capMinutes = Math.floor(request.dailyHours * 60);
  const current = revision.current;
  const weeks = toWorkWeeks(current, new Set(revision.completed));

  const outcomes: Outcome[] = [];
  const byKind = <K extends RevisionChange['kind']>(kind: K) =>
    changes.find((c): c is Extract<RevisionChange, { kind: K }> => c.kind === kind);
  const extension = byKind('extend');
  if (extension) {
    outcomes.push(
      extend(
        weeks,
        Math.min(extension.weeks, request.durationWeeks - current.weeks.length),
        request.endDate,
      ),
    );
  }
  const only = byKind('training-days');
  const fewer = byKind('fewer-days');
  if (only || fewer) {
    const most = Math.max(...weeks.map((w) => w.days.filter((d) => d.items.length > 0).length));
    outcomes.push(limitDays(weeks, only ? only.days : Math.max(1, most - 1)));
  }
  const rest = byKind('rest-weekdays');
  if (rest) outcomes.push(avoidWeekdays(weeks, rest.weekdays, request.startDate, capMinutes));
  const shorter = byKind('shorter-sessions');
  if (shorter) outcomes.push(shorten(weeks, shorter.maxMinutes, capMinutes));
  const volume = byKind('volume');
  if (volume) outcomes.push(changeVolume(weeks, volume.direction, capMinutes));
  if (byKind('practice-tests')) outcomes.push(addPracticeTests(weeks, capMinutes));

  const applied = outcomes.flatMap((o) => (o.applied ? [o.applied] : []));
  const skipped = outcomes.flatMap((o) => (o.applied || !o.reason ? [] : [o.reason]));
  if (applied.length === 0) {
    throw new DomainError(
      'BAD_REQUEST',
      `The offline planner understood “${changes.map(describe).join(', ')}” but it would not change the plan: ${skipped.join('; ')}.`,
      { details: { understood: changes.map(describe), skipped } },
    );
  }

  const oldSummary = current.summary
    .replace(REVISED_PREFIX, '')
    .replace(
      /\b\d+ week\(s\) from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/,
      `${weeks.length} week(s) from ${request.startDate} to ${request.endDate}`,
    );
  const summary =
    `Revised without an AI model (offline planner): ${applied.join('; ')}.` +
    (skipped.length > 0 ? ` Not changed: ${skipped.join('; ')}.` : '');
  const weekCount = weeks.length;
  return {
    title:
      weekCount === current.weeks.length
        ? current.title
        : current.title.replace(
            new RegExp(`\\b${current.weeks.length}(-week| week)`),
            `${weekCount}$1`,
          ),
    summary: `${summary}\n\n${oldSummary}`.slice(0, 2000),
    weeks: weeks.map((week, index) => ({
      week: index + 1,
      theme: restateTheme(week).slice(0, 200),
      days: week.days
        .filter((day) => day.items.length > 0)
        .sort((a, b) => a.day - b.day)
        .map((day) => ({
          day: day.day,
          date: planDate(request.startDate, index + 1, day.day),
          tasks: day.items.map((item) => item.task),
        })),
    })),
  };
}
