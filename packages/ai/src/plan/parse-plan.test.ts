import { describe, expect, it } from 'vitest';
import { examplePlan } from '../testing/example-plan.js';
import { extractJson, stripThinkBlocks } from './extract-json.js';
import { parsePlan } from './parse-plan.js';

const plan = examplePlan({ weeks: 1, days: [1], tasksPerDay: 1 });
const json = JSON.stringify(plan);

describe('stripThinkBlocks', () => {
  it('removes closed, unclosed and orphan-closed reasoning blocks', () => {
    expect(stripThinkBlocks('<think>a {b}</think>{"x":1}')).toBe('{"x":1}');
    expect(stripThinkBlocks('<THINKING>a</THINKING>x<reasoning>y</reasoning>z')).toBe('xz');
    expect(stripThinkBlocks('{"x":1}<think>still going {')).toBe('{"x":1}');
    expect(stripThinkBlocks('reasoning the template opened</think>{"x":1}')).toBe('{"x":1}');
  });
});

describe('extractJson', () => {
  it('finds the object inside prose and fences', () => {
    expect(extractJson('Sure!\n```json\n{"a":1}\n```\nEnjoy.')).toEqual({
      json: '{"a":1}',
      balanced: true,
    });
  });

  it('ignores braces inside strings when matching', () => {
    expect(extractJson('{"a":"}{","b":[1]} trailing }')).toEqual({
      json: '{"a":"}{","b":[1]}',
      balanced: true,
    });
  });

  it('skips prose braces in favour of the object that parses', () => {
    expect(extractJson('Use {placeholders} like this: {"a":1}')?.json).toBe('{"a":1}');
  });

  it('falls back to the longest object when nothing parses, not to one nested in it', () => {
    expect(extractJson('See {notes}: {"a":1,"b":{"c":2},}')?.json).toBe('{"a":1,"b":{"c":2},}');
  });

  it('reports unbalanced JSON, even after balanced prose braces', () => {
    expect(extractJson('{"a":[1,2')).toEqual({ json: '{"a":[1,2', balanced: false });
    expect(extractJson('Fill in {name}: {"a":[1,2')).toEqual({
      json: '{"a":[1,2',
      balanced: false,
    });
  });

  it('returns null without any object', () => {
    expect(extractJson('I cannot help with that.')).toBeNull();
  });
});

describe('parsePlan', () => {
  it('parses bare JSON', () => {
    expect(parsePlan(json)).toEqual({ ok: true, plan, repaired: false });
  });

  it.each([
    ['code fences', `Here you go:\n\`\`\`json\n${json}\n\`\`\`\nGood luck!`],
    ['a think block with braces', `<think>maybe {"weeks": []}?</think>\n${json}`],
    ['prose before and after', `Plan below.\n${json}\nLet me know if you want changes.`],
    ['a wrapping object', `{"plan": ${json}}`],
  ])('extracts the plan from %s', (_, text) => {
    const result = parsePlan(text, { finishReason: 'stop' });
    expect(result).toEqual({ ok: true, plan, repaired: false });
  });

  it('repairs malformed but complete JSON', () => {
    const broken = json
      .replace('"title":"Example plan"', "'title':'Example plan'")
      .replace(/}]}]}]}$/, '},]}]}]}');
    expect(() => JSON.parse(broken)).toThrow();
    expect(parsePlan(broken, { finishReason: 'stop' })).toEqual({ ok: true, plan, repaired: true });
  });

  it('reports truncation instead of repairing an unclosed plan', () => {
    const result = parsePlan(json.slice(0, json.length - 20), { finishReason: 'stop' });
    expect(result).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('treats finish_reason length as truncation when the JSON is not valid as written', () => {
    const withTrailingComma = json.replace(/}]}]}]}$/, '},]}]}]}');
    expect(parsePlan(withTrailingComma, { finishReason: 'length' })).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });

  it('accepts a complete, valid plan even when finish_reason is length', () => {
    expect(parsePlan(json, { finishReason: 'length' })).toMatchObject({ ok: true });
  });

  it('reports answers without JSON', () => {
    expect(parsePlan('Sorry, I cannot do that.')).toMatchObject({ ok: false, reason: 'no_json' });
    expect(parsePlan('<think>{"weeks": [', { finishReason: 'length' })).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });

  it('returns validation issues with paths', () => {
    const bad = structuredClone(plan) as unknown as {
      weeks: { days: { tasks: Record<string, unknown>[] }[] }[];
    };
    const task = bad.weeks[0]?.days[0]?.tasks[0];
    if (!task) throw new Error('fixture has no task');
    task.effortMinutes = 0;
    delete task.title;
    const result = parsePlan(JSON.stringify(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('invalid_plan');
    expect(result.issues.map((issue) => issue.path).sort()).toEqual([
      'weeks.0.days.0.tasks.0.effortMinutes',
      'weeks.0.days.0.tasks.0.title',
    ]);
    expect(result.issues.every((issue) => issue.message.length > 0)).toBe(true);
  });

  it('reports a root-level issue for a non-plan object', () => {
    const result = parsePlan('{"answer": 42}');
    expect(result).toMatchObject({ ok: false, reason: 'invalid_plan' });
    if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain('title');
  });
});
