import { describe, expect, it } from 'vitest';
import { CHAT_TOOLS, chatToolSpecs, parseToolArguments } from './tools.js';

describe('chatToolSpecs', () => {
  it('describes every tool as an OpenAI function with a compact JSON Schema', () => {
    const specs = chatToolSpecs();
    expect(specs.map((spec) => spec.function.name)).toEqual([
      'list_tasks',
      'add_task',
      'update_task',
      'complete_task',
      'delete_task',
      'revise_plan',
    ]);
    for (const spec of specs) {
      expect(spec.type).toBe('function');
      expect(spec.function.description?.length).toBeGreaterThan(10);
      expect(spec.function.parameters).toMatchObject({ type: 'object' });
    }
    const text = JSON.stringify(specs);
    expect(text).not.toMatch(/\$schema|"pattern"/);
    const addTask = specs[1]?.function.parameters as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(addTask.required).toEqual(['title']);
    expect(addTask.properties.dueDate).toMatchObject({ type: 'string', format: 'date' });
    expect(addTask.properties.priority).toMatchObject({
      enum: ['low', 'medium', 'high', 'urgent'],
    });
  });

  it('offers only the given subset', () => {
    const readOnly = CHAT_TOOLS.filter((tool) => tool.name === 'list_tasks');
    expect(chatToolSpecs(readOnly).map((spec) => spec.function.name)).toEqual(['list_tasks']);
  });
});

describe('parseToolArguments', () => {
  it('validates and applies defaults', () => {
    expect(parseToolArguments('list_tasks', '{"week": 2}')).toEqual({
      ok: true,
      name: 'list_tasks',
      args: { status: 'open', week: 2, limit: 20 },
    });
    expect(parseToolArguments('complete_task', '{"taskId":" t1 "}')).toEqual({
      ok: true,
      name: 'complete_task',
      args: { taskId: 't1', completed: true },
    });
    expect(
      parseToolArguments(
        'add_task',
        '{"title":"Stretch","dueDate":"2025-03-04","priority":"high","tags":["Health"]}',
      ),
    ).toMatchObject({
      ok: true,
      args: { title: 'Stretch', dueDate: '2025-03-04', priority: 'high', tags: ['health'] },
    });
  });

  it('treats empty arguments as {} and drops nulls and unknown fields', () => {
    expect(parseToolArguments('list_tasks', '')).toMatchObject({ ok: true, args: { limit: 20 } });
    expect(
      parseToolArguments('add_task', '{"title":"Read","dueDate":null,"colour":"red"}'),
    ).toEqual({ ok: true, name: 'add_task', args: { title: 'Read' } });
  });

  it('keeps null where it means "clear"', () => {
    expect(parseToolArguments('update_task', '{"taskId":"t1","dueDate":null}')).toEqual({
      ok: true,
      name: 'update_task',
      args: { taskId: 't1', dueDate: null },
    });
  });

  it.each([
    ['drop_database', '{}', /unknown tool "drop_database"; available tools: list_tasks, add_task/],
    ['add_task', '{"title": "Run', /arguments of add_task are not valid JSON/],
    ['add_task', '[]', /invalid arguments for add_task: .*expected object/],
    ['add_task', '{"title": ""}', /invalid arguments for add_task: title: Too small/],
    ['add_task', '{"title":"x","dueDate":"2025-02-30"}', /dueDate: Invalid ISO date/],
    ['add_task', '{"title":"x","priority":"asap"}', /priority: Invalid option/],
    ['update_task', '{"taskId":"t1"}', /give at least one field to change/],
    ['delete_task', '{}', /taskId: Invalid input: expected string/],
    ['revise_plan', '{"instructions":"no"}', /instructions: Too small/],
  ])('reports %s(%s) as an error the model can act on', (name, raw, message) => {
    const result = parseToolArguments(name, raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });

  it('only knows the tools it is given', () => {
    const readOnly = CHAT_TOOLS.filter((tool) => tool.name === 'list_tasks');
    expect(parseToolArguments('delete_task', '{"taskId":"t1"}', readOnly)).toEqual({
      ok: false,
      error: 'unknown tool "delete_task"; available tools: list_tasks',
    });
  });

  it('never throws, whatever the model sends', () => {
    for (const raw of ['null', '42', '"x"', '{"taskId":{"$gt":""}}', '\u0000', '{'.repeat(5000)]) {
      expect(() => parseToolArguments('delete_task', raw)).not.toThrow();
      expect(parseToolArguments('delete_task', raw).ok).toBe(false);
    }
  });
});
