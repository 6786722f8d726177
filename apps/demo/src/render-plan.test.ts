import { describe, expect, it } from 'vitest';
import {
  type CompletedEvent,
  formatMinutes,
  renderFailure,
  renderFooter,
  renderPlanTable,
  renderProgress,
  renderTaskLine,
  stripAnsi,
  weekThemes,
} from './render-plan.js';

type StoredTask = CompletedEvent['tasks'][number];

let position = 0;
function storedTask(overrides: Partial<StoredTask>): StoredTask {
  const now = '2026-03-02T10:00:00.000Z';
  return {
    id: `task-${position}`,
    goalId: 'goal',
    planVersionId: 'plan',
    taskKey: null,
    week: 1,
    day: 1,
    title: 'A task',
    notes: '',
    category: 'practice',
    effortMinutes: 30,
    priority: 'medium',
    tags: [],
    startDate: '2026-03-02',
    dueDate: '2026-03-02',
    dueTime: null,
    reminderMinutes: 30,
    recurrence: null,
    completedAt: null,
    position: position++,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

const completed: Pick<CompletedEvent, 'plan' | 'tasks' | 'offline' | 'fixes'> = {
  plan: {
    id: 'plan',
    goalId: 'goal',
    version: 1,
    isCurrent: true,
    source: 'generated',
    title: 'Chess in two weeks',
    summary: '',
    plan: {
      title: 'Chess in two weeks',
      summary: '',
      weeks: [
        { week: 1, theme: 'Rules and pieces', days: [] },
        { week: 2, theme: 'Openings', days: [] },
        { week: 3, theme: 'Rest', days: [] },
      ],
    },
    generationId: 'generation',
    createdAt: '2026-03-02T10:00:00.000Z',
  },
  tasks: [
    storedTask({ title: 'Learn how the pieces move', effortMinutes: 45, category: 'reading' }),
    storedTask({ day: 2, startDate: '2026-03-03', title: 'Play ten games', effortMinutes: 90 }),
    storedTask({ week: 2, day: 1, startDate: '2026-03-09', title: 'Study the Italian' }),
  ],
  offline: true,
  fixes: [],
};

describe('render-plan', () => {
  it('formats minutes as hours and minutes', () => {
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(450)).toBe('7 h 30 min');
  });

  it('shows the phase as a plain line, or as a coloured bar that fills up to completed', () => {
    expect(renderProgress('generating', { color: false, tasks: 4 })).toBe(
      'phase 3/7: generating (4 tasks)',
    );
    expect(renderProgress('prompting', { color: false, attempt: 2 })).toBe(
      'phase 2/7: prompting (attempt 2)',
    );
    const done = renderProgress('completed', { color: true, width: 10 });
    expect(done).toContain('\x1b[');
    expect(stripAnsi(done)).toBe('██████████ 7/7 completed');
    expect(stripAnsi(renderProgress('queued', { color: true, width: 14 }))).toBe(
      '██░░░░░░░░░░░░ 1/7 queued',
    );
  });

  it('prints a streamed task with its place, date, effort and category', () => {
    const event = {
      type: 'task' as const,
      index: 0,
      task: {
        title: 'Learn how the pieces move',
        description: '',
        effortMinutes: 45,
        category: 'reading',
        week: 1,
        day: 1,
        date: '2026-03-02',
        position: 0,
      },
    };
    expect(renderTaskLine(event, { color: false })).toBe(
      '  #1  W1 D1  2026-03-02  Learn how the pieces move (45 min, reading)',
    );
    const narrow = renderTaskLine(event, { color: false, columns: 60 });
    expect(narrow).toBe('  #1  W1 D1  2026-03-02  Learn how the pi… (45 min, reading)');
    expect(narrow.length).toBeLessThanOrEqual(60);
  });

  it('reads week themes from the stored snapshot and skips malformed weeks', () => {
    expect(weekThemes({ weeks: [{ week: 1, theme: 'A' }, null, { week: 3 }] })).toEqual(
      new Map([[1, 'A']]),
    );
    expect(weekThemes({})).toEqual(new Map());
  });

  it('prints one table per week, with its theme, in plan order', () => {
    const lines = renderPlanTable(completed, { color: false });
    expect(lines).toEqual([
      '',
      'Week 1 · Rules and pieces (2 tasks, 2 h 15 min)',
      '  date        title                      min  category',
      '  2026-03-02  Learn how the pieces move   45  reading',
      '  2026-03-03  Play ten games              90  practice',
      '',
      'Week 2 · Openings (1 task, 30 min)',
      '  date        title                      min  category',
      '  2026-03-09  Study the Italian           30  practice',
      '',
      'Week 3 · Rest (0 tasks, 0 min)',
      '  (no tasks)',
    ]);
  });

  it('cuts long titles to the terminal width', () => {
    const rows = renderPlanTable(completed, { color: true, columns: 44 })
      .map(stripAnsi)
      .filter((line) => line.startsWith('  2026-'));
    expect(rows[0]).toBe('  2026-03-02  Learn how the …   45  reading');
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(44);
  });

  it('says which planner wrote the plan and the total effort', () => {
    expect(renderFooter(completed, { color: false })).toBe(
      'Planner: offline planner (deterministic, no LLM) · 3 tasks · total effort 2 h 45 min',
    );
    expect(
      renderFooter({ ...completed, offline: false, fixes: ['moved a task'] }, { color: false }),
    ).toBe(
      'Planner: LLM planner · 3 tasks · total effort 2 h 45 min · 1 fix by the constraint check',
    );
  });

  it('prints a failure with its code and message', () => {
    expect(renderFailure({ code: 'LLM_TIMEOUT', message: 'no answer' }, { color: false })).toBe(
      '✗ generation failed: LLM_TIMEOUT — no answer',
    );
  });
});
