import { addDays, daysBetween, weekdayName } from '../plan/plan-dates.js';
import type { ChatTask } from './chat.prompt.js';

export interface OfflineQuestion {
  question: string;
  /** The person's current date, `YYYY-MM-DD`. */
  today: string;
  goal?: { title: string } | null | undefined;
  /** The caller's relevant tasks, overdue ones included. */
  tasks: readonly ChatTask[];
  /** Progress of the goal (or of all tasks); computed from `tasks` when omitted. */
  progress?: { done: number; total: number } | null | undefined;
}

export interface OfflineAnswer {
  text: string;
  /** `text` in groups of a few words (`chunks.join('') === text`), to stream as deltas. */
  chunks: string[];
}

/** What the offline assistant recognises in a question. */
export type OfflineIntent = 'overdue' | 'progress' | 'today' | 'tomorrow' | 'week' | 'overview';

export const OFFLINE_NOTICE =
  "I'm the offline assistant, not an LLM: set OPENAI_API_KEY to chat with a real model.";

const MAX_LISTED = 8;
const WORDS_PER_CHUNK = 3;
const PRIORITY_RANK = { urgent: 0, high: 1, medium: 2, low: 3 } as const;

const INTENTS: readonly [OfflineIntent, RegExp][] = [
  ['overdue', /overdue|\blate\b|behind|missed|past due|catch up/],
  ['progress', /progress|how am i doing|how('s| is) it going|on track|percent|%|stats|so far/],
  ['tomorrow', /tomorrow/],
  [
    'today',
    /today|tonight|this (morning|afternoon|evening)|right now|(do|work on) (now|next)|what('s| is) next|next task/,
  ],
  ['week', /week|next (few|seven|7) days|upcoming|coming days/],
];

/** The intent of a question; the first rule that matches wins, `overview` otherwise. */
export function detectOfflineIntent(question: string): OfflineIntent {
  const text = question.toLowerCase();
  return INTENTS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'overview';
}

function byPriorityThenDue(a: ChatTask, b: ChatTask): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') ||
    a.title.localeCompare(b.title)
  );
}

function describeTask(task: ChatTask, today: string, withDate: boolean): string {
  const facts: string[] = [];
  if (withDate && task.dueDate) {
    const days = daysBetween(task.dueDate, today);
    if (days > 0) facts.push(`due ${task.dueDate}, ${days} day${days === 1 ? '' : 's'} ago`);
    else facts.push(`${weekdayName(task.dueDate)} ${task.dueDate}`);
  }
  if (task.effortMinutes !== null) facts.push(`${task.effortMinutes} min`);
  if (task.priority === 'high' || task.priority === 'urgent') facts.push(task.priority);
  return facts.length > 0 ? `- ${task.title} (${facts.join(', ')})` : `- ${task.title}`;
}

function list(tasks: readonly ChatTask[], today: string, withDate: boolean): string[] {
  const lines = tasks.slice(0, MAX_LISTED).map((task) => describeTask(task, today, withDate));
  if (tasks.length > MAX_LISTED) lines.push(`- … and ${tasks.length - MAX_LISTED} more`);
  return lines;
}

function minutes(tasks: readonly ChatTask[]): string {
  const total = tasks.reduce((sum, task) => sum + (task.effortMinutes ?? 0), 0);
  if (total === 0) return '';
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  const time = hours === 0 ? `${rest} min` : rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  return `, about ${time} in all`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

interface Buckets {
  open: ChatTask[];
  overdue: ChatTask[];
  today: ChatTask[];
  tomorrow: ChatTask[];
  week: ChatTask[];
}

function sortTasks(tasks: readonly ChatTask[], today: string): Buckets {
  const open = tasks.filter((task) => !task.completed);
  const due = (from: number, to: number) =>
    open
      .filter((task) => {
        if (!task.dueDate) return false;
        const offset = daysBetween(today, task.dueDate);
        return offset >= from && offset <= to;
      })
      .sort(byPriorityThenDue);
  return {
    open,
    overdue: open
      .filter((task) => task.dueDate !== null && task.dueDate < today)
      .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || byPriorityThenDue(a, b)),
    today: due(0, 0),
    tomorrow: due(1, 1),
    week: open
      .filter(
        (task) =>
          task.dueDate !== null &&
          daysBetween(today, task.dueDate) >= 0 &&
          daysBetween(today, task.dueDate) <= 6,
      )
      .sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || byPriorityThenDue(a, b)),
  };
}

function overdueNote(overdue: readonly ChatTask[]): string[] {
  return overdue.length > 0
    ? [
        '',
        `${plural(overdue.length, 'task')} ${overdue.length === 1 ? 'is' : 'are'} overdue; ask "what's overdue?" to see them.`,
      ]
    : [];
}

function progressLine(progress: { done: number; total: number }): string {
  const pct = progress.total === 0 ? 0 : Math.round((progress.done / progress.total) * 100);
  return `You have done ${progress.done} of ${plural(progress.total, 'task')} (${pct}%).`;
}

function answerLines(intent: OfflineIntent, input: OfflineQuestion, buckets: Buckets): string[] {
  const { today } = input;
  const goal = input.goal ? ` for "${input.goal.title}"` : '';
  const progress = input.progress ?? {
    done: input.tasks.filter((task) => task.completed).length,
    total: input.tasks.length,
  };
  switch (intent) {
    case 'overdue':
      if (buckets.overdue.length === 0) return ['Nothing is overdue. You are on schedule.'];
      return [
        `${plural(buckets.overdue.length, 'task')} ${buckets.overdue.length === 1 ? 'is' : 'are'} overdue${goal}, oldest first:`,
        ...list(buckets.overdue, today, true),
        '',
        'Do the most important one today, or move the others to a new date.',
      ];
    case 'progress': {
      const lines = [progressLine(progress)];
      const left = progress.total - progress.done;
      if (progress.total > 0 && left === 0) lines.push('Everything is done. Well done!');
      else if (left > 0) lines.push(`${plural(left, 'task')} to go${goal}.`);
      lines.push(
        buckets.overdue.length > 0
          ? `${plural(buckets.overdue.length, 'task')} ${buckets.overdue.length === 1 ? 'is' : 'are'} overdue, so you are a little behind.`
          : 'Nothing is overdue, so you are on track.',
      );
      if (buckets.today.length > 0)
        lines.push(`Today: ${plural(buckets.today.length, 'task')}${minutes(buckets.today)}.`);
      return lines;
    }
    case 'today':
    case 'tomorrow': {
      const tasks = intent === 'today' ? buckets.today : buckets.tomorrow;
      const date = intent === 'today' ? today : addDays(today, 1);
      const when = `${intent === 'today' ? 'Today' : 'Tomorrow'} (${weekdayName(date)} ${date})`;
      if (tasks.length === 0) {
        const next = buckets.week.find((task) => task.dueDate !== null && task.dueDate > date);
        return [
          `${when} you have nothing due${goal}.`,
          ...(next
            ? [`Next up: ${next.title} on ${weekdayName(next.dueDate!)} ${next.dueDate}.`]
            : []),
          ...(intent === 'today' ? overdueNote(buckets.overdue) : []),
        ];
      }
      return [
        `${when}: ${plural(tasks.length, 'task')}${minutes(tasks)}${goal}, most important first:`,
        ...list(tasks, today, false),
        ...(intent === 'today' ? overdueNote(buckets.overdue) : []),
      ];
    }
    case 'week': {
      const end = addDays(today, 6);
      if (buckets.week.length === 0) {
        return [`Nothing is due from today to ${end}${goal}.`, ...overdueNote(buckets.overdue)];
      }
      return [
        `From today to ${end}: ${plural(buckets.week.length, 'task')}${minutes(buckets.week)}${goal}:`,
        ...list(buckets.week, today, true),
        ...overdueNote(buckets.overdue),
      ];
    }
    case 'overview': {
      const lines = [input.goal ? `Your goal: ${input.goal.title}.` : 'Here is where you stand.'];
      if (progress.total > 0) lines.push(progressLine(progress));
      lines.push(
        buckets.today.length > 0
          ? `Today: ${plural(buckets.today.length, 'task')}${minutes(buckets.today)}; first: ${buckets.today[0]!.title}.`
          : 'Nothing is due today.',
      );
      if (buckets.overdue.length > 0)
        lines.push(`Overdue: ${plural(buckets.overdue.length, 'task')}.`);
      const next = buckets.week.find((task) => task.dueDate !== today);
      if (next) lines.push(`Next: ${next.title} on ${weekdayName(next.dueDate!)} ${next.dueDate}.`);
      lines.push(
        '',
        "I can tell you what's due today or this week, what's overdue, and how you're doing.",
      );
      return lines;
    }
  }
}

/** Splits a text into groups of a few words, keeping every character (`join('')` gives it back). */
export function chunkWords(text: string, wordsPerChunk = WORDS_PER_CHUNK): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) {
    chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  }
  return chunks;
}

/**
 * Answers a chat message without an LLM, from the caller's data: what is due today, tomorrow
 * or in the next seven days, what is overdue, how far along the person is, or otherwise a
 * short overview. The answer always ends with one sentence saying that this is the offline
 * assistant and how to enable an LLM. Deterministic.
 *
 * @example
 * const { text, chunks } = answerOffline({ question: "What's on today?", today, goal, tasks });
 * for (const chunk of chunks) appendEvent({ type: 'delta', text: chunk });
 */
export function answerOffline(input: OfflineQuestion): OfflineAnswer {
  const intent = detectOfflineIntent(input.question);
  const lines = answerLines(intent, input, sortTasks(input.tasks, input.today));
  const text = [...lines, '', OFFLINE_NOTICE].join('\n');
  return { text, chunks: chunkWords(text) };
}
