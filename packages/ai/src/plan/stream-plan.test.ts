import { describe, expect, it } from 'vitest';
import { examplePlan } from '../testing/example-plan.js';
import { placeTasks } from './place-tasks.js';
import type { TPlacedTask } from './plan.schema.js';
import { streamPlan } from './stream-plan.js';

const startDate = '2025-01-06';
const plan = examplePlan({ weeks: 3, days: [1, 4, 6], tasksPerDay: 2, startDate });
const json = JSON.stringify(plan);
const expected = placeTasks(plan);

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function run(text: string, size: number, options: { fromPosition?: number } = {}) {
  const emitted: TPlacedTask[] = [];
  const stream = streamPlan({ startDate, onTask: (task) => emitted.push(task), ...options });
  for (const piece of chunks(text, size)) stream.write(piece);
  return { emitted, stream };
}

describe('streamPlan', () => {
  it.each([1, 3, 17, 4096])('emits every task once, in order, with chunks of %i chars', (size) => {
    const { emitted, stream } = run(json, size);
    expect(emitted).toEqual(expected);
    expect(stream.lastEmittedPosition).toBe(expected.length - 1);
    expect(stream.text).toBe(json);
  });

  it('emits each task as soon as its object closes', () => {
    const emitted: TPlacedTask[] = [];
    const stream = streamPlan({ startDate, onTask: (task) => emitted.push(task) });
    const firstTaskEnd = json.indexOf('}') + 1;
    stream.write(json.slice(0, firstTaskEnd - 1));
    expect(emitted).toHaveLength(0);
    stream.write(json.slice(firstTaskEnd - 1, firstTaskEnd));
    expect(emitted.map((task) => task.title)).toEqual(['W1D1T1']);
  });

  it.each([
    ['prose', `Sure! Here is the plan you asked for:\n${json}\nAnything else?`],
    ['a code fence', `\`\`\`json\n${json}\n\`\`\``],
    ['a think block with braces', `<think>I need {"weeks": [...]} with {tasks}</think>${json}`],
    ['two think blocks', `<think>a</think> <thinking>{b}</thinking>\n${json}`],
  ])('skips %s before the JSON', (_, text) => {
    expect(run(text, 1).emitted).toEqual(expected);
    expect(run(text, 7).emitted).toEqual(expected);
  });

  it('waits for a think block split over chunks to close', () => {
    const emitted: TPlacedTask[] = [];
    const stream = streamPlan({ startDate, onTask: (task) => emitted.push(task) });
    for (const piece of [
      '<thi',
      'nk>{"weeks":[{"days":[{"tasks":[{"title":"fake"',
      '}]}]}]}</th',
      'ink>',
    ]) {
      stream.write(piece);
    }
    stream.write(json);
    expect(emitted).toEqual(expected);
  });

  it('skips positions already emitted by an earlier attempt', () => {
    const { emitted } = run(json, 11, { fromPosition: 5 });
    expect(emitted).toEqual(expected.slice(5));
  });

  it('dates tasks from week and day, not from the model', () => {
    const wrongDates = JSON.stringify({
      ...plan,
      weeks: plan.weeks.map((week) => ({
        ...week,
        days: week.days.map((day) => ({ ...day, date: '1999-01-01' })),
      })),
    });
    expect(run(wrongDates, 13).emitted).toEqual(expected);
  });

  it('falls back to array positions when week or day numbers come after the tasks', () => {
    const text =
      '{"weeks":[{"days":[{"tasks":[{"title":"a","effortMinutes":10,"category":"x"}],"day":9}]}]}';
    expect(run(text, 5).emitted).toEqual([
      {
        title: 'a',
        description: '',
        effortMinutes: 10,
        category: 'x',
        week: 1,
        day: 1,
        date: startDate,
        position: 0,
      },
    ]);
  });

  it('stops at the first invalid task so that emitted positions never have gaps', () => {
    const text =
      '{"weeks":[{"week":1,"days":[{"day":2,"tasks":[{"title":"ok","effortMinutes":10,"category":"X"},{"title":"","effortMinutes":10,"category":"x"},{"title":"later","effortMinutes":10,"category":"x"}]}]}]}';
    expect(run(text, 9).emitted).toEqual([
      {
        title: 'ok',
        description: '',
        effortMinutes: 10,
        category: 'x',
        week: 1,
        day: 2,
        date: '2025-01-07',
        position: 0,
      },
    ]);
  });

  it('stops quietly on malformed JSON and ignores text after the JSON', () => {
    const broken = `${json.slice(0, json.indexOf('}') + 1)},,, oops ${json}`;
    expect(run(broken, 4).emitted.map((task) => task.title)).toEqual(['W1D1T1']);
    expect(run(`${json} and {"more": [1,2,3]}`, 4).emitted).toEqual(expected);
  });

  it('keeps the model date when no start date is known', () => {
    const emitted: TPlacedTask[] = [];
    const stream = streamPlan({ onTask: (task) => emitted.push(task) });
    stream.write(json);
    expect(emitted.map((task) => task.date)).toEqual(expected.map((task) => task.date));
  });

  it('rethrows what onTask throws and stops', () => {
    let calls = 0;
    const stream = streamPlan({
      startDate,
      onTask: () => {
        calls++;
        throw new Error('event log is down');
      },
    });
    expect(() => stream.write(json)).toThrow('event log is down');
    stream.write(json);
    expect(calls).toBe(1);
  });
});
