import { describe, expect, it } from 'vitest';
import type { ChatTask } from './chat.prompt.js';
import {
  answerOffline,
  chunkWords,
  detectOfflineIntent,
  OFFLINE_NOTICE,
  type OfflineQuestion,
} from './offline-assistant.js';

const today = '2025-03-12'; // a Wednesday

function task(overrides: Partial<ChatTask> & { title: string }): ChatTask {
  return {
    id: overrides.title.toLowerCase().replace(/\W+/g, '-'),
    week: 2,
    day: 3,
    dueDate: today,
    effortMinutes: 30,
    priority: 'medium',
    completed: false,
    ...overrides,
  };
}

const tasks: ChatTask[] = [
  task({ title: 'Easy 5 km run', effortMinutes: 40 }),
  task({ title: 'Core workout', priority: 'high', effortMinutes: 20 }),
  task({ title: 'Stretching', completed: true }),
  task({ title: 'Buy running shoes', dueDate: '2025-03-09', priority: 'low' }),
  task({ title: 'Book a physio', dueDate: '2025-03-11', priority: 'urgent', effortMinutes: null }),
  task({ title: 'Tempo run', dueDate: '2025-03-13' }),
  task({ title: 'Long run 12 km', dueDate: '2025-03-16', effortMinutes: 90 }),
  task({ title: 'Race registration', dueDate: '2025-04-01' }),
];

function ask(question: string, overrides: Partial<OfflineQuestion> = {}) {
  return answerOffline({
    question,
    today,
    goal: { title: 'Run a half marathon' },
    tasks,
    progress: { done: 12, total: 40 },
    ...overrides,
  });
}

describe('detectOfflineIntent', () => {
  it.each([
    ["What's overdue?", 'overdue'],
    ['Am I behind on anything?', 'overdue'],
    ['How am I doing?', 'progress'],
    ['Am I on track this week?', 'progress'],
    ['What do I have today?', 'today'],
    ["What's next?", 'today'],
    ['And tomorrow?', 'tomorrow'],
    ['What is planned this week?', 'week'],
    ['Anything upcoming?', 'week'],
    ['Hello!', 'overview'],
  ])('%s → %s', (question, intent) => {
    expect(detectOfflineIntent(question)).toBe(intent);
  });
});

describe('answerOffline', () => {
  it("lists today's open tasks, most important first, and mentions what is overdue", () => {
    const { text } = ask('What should I do today?');
    expect(text).toMatchInlineSnapshot(`
      "Today (Wednesday 2025-03-12): 2 tasks, about 1 h in all for "Run a half marathon", most important first:
      - Core workout (20 min, high)
      - Easy 5 km run (40 min)

      2 tasks are overdue; ask "what's overdue?" to see them.

      I'm the offline assistant, not an LLM: set OPENAI_API_KEY to chat with a real model."
    `);
  });

  it('says when nothing is due today and what comes next', () => {
    const { text } = ask('today?', { tasks: tasks.filter((t) => t.dueDate !== today) });
    expect(text).toContain(
      'Today (Wednesday 2025-03-12) you have nothing due for "Run a half marathon".',
    );
    expect(text).toContain('Next up: Tempo run on Thursday 2025-03-13.');
  });

  it('answers for tomorrow', () => {
    expect(ask('What about tomorrow?').text).toContain(
      'Tomorrow (Thursday 2025-03-13): 1 task, about 30 min in all',
    );
  });

  it('lists the next seven days in date order', () => {
    const { text } = ask('What is on this week?');
    expect(text).toMatchInlineSnapshot(`
      "From today to 2025-03-18: 4 tasks, about 3 h in all for "Run a half marathon":
      - Core workout (Wednesday 2025-03-12, 20 min, high)
      - Easy 5 km run (Wednesday 2025-03-12, 40 min)
      - Tempo run (Thursday 2025-03-13, 30 min)
      - Long run 12 km (Sunday 2025-03-16, 90 min)

      2 tasks are overdue; ask "what's overdue?" to see them.

      I'm the offline assistant, not an LLM: set OPENAI_API_KEY to chat with a real model."
    `);
  });

  it('lists overdue tasks oldest first with how late they are', () => {
    const { text } = ask("What's overdue?");
    expect(text).toMatchInlineSnapshot(`
      "2 tasks are overdue for "Run a half marathon", oldest first:
      - Buy running shoes (due 2025-03-09, 3 days ago, 30 min)
      - Book a physio (due 2025-03-11, 1 day ago, urgent)

      Do the most important one today, or move the others to a new date.

      I'm the offline assistant, not an LLM: set OPENAI_API_KEY to chat with a real model."
    `);
    expect(ask('overdue?', { tasks: [tasks[0]!] }).text).toContain('Nothing is overdue.');
  });

  it('reports progress, what is left and whether the person is on track', () => {
    const { text } = ask('How am I doing?');
    expect(text).toContain('You have done 12 of 40 tasks (30%).');
    expect(text).toContain('28 tasks to go for "Run a half marathon".');
    expect(text).toContain('2 tasks are overdue, so you are a little behind.');
    const computed = ask('progress?', { progress: null, tasks: [tasks[2]!] }).text;
    expect(computed).toContain('You have done 1 of 1 task (100%).');
    expect(computed).toContain('Everything is done.');
    expect(computed).toContain('Nothing is overdue, so you are on track.');
  });

  it('gives an overview otherwise and says what it can answer', () => {
    const { text } = ask('Hi there');
    expect(text).toMatchInlineSnapshot(`
      "Your goal: Run a half marathon.
      You have done 12 of 40 tasks (30%).
      Today: 2 tasks, about 1 h in all; first: Core workout.
      Overdue: 2 tasks.
      Next: Tempo run on Thursday 2025-03-13.

      I can tell you what's due today or this week, what's overdue, and how you're doing.

      I'm the offline assistant, not an LLM: set OPENAI_API_KEY to chat with a real model."
    `);
    const empty = ask('Hi', { goal: null, tasks: [], progress: null }).text;
    expect(empty).toContain('Nothing is due today.');
  });

  it('always says it is not an LLM and how to enable one, in one sentence', () => {
    for (const question of ['today', 'week', 'overdue', 'progress', 'hello', '']) {
      const { text } = ask(question);
      expect(text.endsWith(`\n\n${OFFLINE_NOTICE}`)).toBe(true);
    }
    expect(OFFLINE_NOTICE).toMatch(
      /^[^.]*offline assistant, not an LLM[^.]*OPENAI_API_KEY[^.]*\.$/,
    );
  });

  it('caps long lists', () => {
    const many = Array.from({ length: 12 }, (_, i) => task({ title: `Task ${i}` }));
    const { text } = ask('today', { tasks: many });
    expect(text).toContain('- … and 4 more');
  });

  it('splits the text into word groups that stream back to the same text', () => {
    const answer = ask('What is on this week?');
    expect(answer.chunks.join('')).toBe(answer.text);
    expect(answer.chunks.length).toBeGreaterThan(10);
    for (const chunk of answer.chunks)
      expect(chunk.trim().split(/\s+/).length).toBeLessThanOrEqual(3);
    expect(chunkWords('')).toEqual([]);
    expect(chunkWords('  a b c d ')).toEqual(['  a b c ', 'd ']);
  });

  it('is deterministic', () => {
    expect(ask('How am I doing?')).toEqual(ask('How am I doing?'));
  });
});
