import { describe, expect, it } from 'vitest';
import { buildPlanMessages } from './plan.prompt.js';
import { resolvePlanRequest, ZPlanRequest } from './plan-request.schema.js';
import { planJsonSchema, planResponseFormat } from './plan-response-format.js';

const request = resolvePlanRequest(
  ZPlanRequest.parse({
    goal: 'Run a half marathon',
    durationWeeks: 10,
    dailyHours: 1,
    level: 'beginner',
    notes: 'Bad knee; prefer mornings.',
    startDate: '2025-03-03',
  }),
  '2025-03-01',
);

describe('buildPlanMessages', () => {
  it('asks for a schema-constrained plan', () => {
    expect(buildPlanMessages(request, { mode: 'json_schema' })).toMatchSnapshot();
  });

  it('spells out the JSON shape when the schema is not enforced', () => {
    const messages = buildPlanMessages(request, { mode: 'prompted' });
    expect(messages).toMatchSnapshot();
    expect(messages[0]?.content).toContain('no prose, no code fences');
  });

  it('mentions JSON in json_object mode, as OpenAI requires', () => {
    const messages = buildPlanMessages(request, { mode: 'json_object' });
    expect(JSON.stringify(messages)).toMatch(/JSON/);
    expect(messages[0]?.content).toContain('"effortMinutes":30');
  });

  it('asks for compact output on long plans and leaves out empty notes', () => {
    const long = resolvePlanRequest(
      ZPlanRequest.parse({
        goal: 'Learn Japanese',
        durationWeeks: 40,
        dailyHours: 0.5,
        startDate: '2025-01-01',
      }),
      '2025-01-01',
    );
    expect(buildPlanMessages(long, { mode: 'json_schema' })).toMatchInlineSnapshot(`
      [
        {
          "content": "You are Stepwise, a planning assistant that turns a person's goal into a realistic, dated plan of weeks, days and tasks.

      Rules:
      - Answer with exactly one JSON object.
      - The plan has exactly 40 week(s), numbered 1 to 40 in order; every week has at least one task.
      - Each week has a short theme and lists only the days the person works, in order; leave rest days out.
      - Days are numbered 1 to 7 within a week. Week 1 day 1 is 2025-01-01 (a Wednesday); week w day d falls on 2025-01-01 + (w-1)*7 + (d-1) days, so the last possible day is 2025-10-07.
      - The effortMinutes of one day add up to at most 30 minutes (0.5 h).
      - Each task has a concrete, actionable title (under 100 characters), a one-sentence description, effortMinutes between 5 and 720, and a one-word lowercase category such as learning, practice, project or review.
      - Pitch the work at a beginner level and build up week by week: foundations first, then practice, projects and a final review.
      - Put the most important task of a day first. The plan is long: use at most 2 tasks per day and keep descriptions short.",
          "role": "system",
        },
        {
          "content": "Goal: Learn Japanese
      Duration: 40 week(s), from 2025-01-01 to 2025-10-07
      Time available: 0.5 h per day
      Level: beginner",
          "role": "user",
        },
      ]
    `);
  });

  it('shows the model its previous errors on a corrective attempt', () => {
    const errors = Array.from({ length: 22 }, (_, i) => `weeks.${i}.theme: Required`);
    const messages = buildPlanMessages(request, {
      mode: 'json_schema',
      attempt: 2,
      previousErrors: errors,
    });
    expect(messages).toHaveLength(3);
    expect(messages[2]).toMatchSnapshot();
    expect(messages[2]?.content).toContain('… and 2 more');
  });

  it('is pure', () => {
    expect(buildPlanMessages(request, { mode: 'prompted' })).toEqual(
      buildPlanMessages(request, { mode: 'prompted' }),
    );
  });
});

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  additionalProperties?: boolean;
}

describe('planResponseFormat', () => {
  it('sends a strict JSON schema with every property required and no length keywords', () => {
    const format = planResponseFormat('json_schema');
    expect(format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'plan', strict: true },
    });
    const text = JSON.stringify(planJsonSchema());
    expect(text).not.toMatch(/minLength|maxLength|"default"|"pattern"|\$schema/);
    const schema = planJsonSchema() as SchemaNode;
    const week = schema.properties?.weeks?.items;
    const task = week?.properties?.days?.items?.properties?.tasks?.items;
    expect(task?.required).toEqual(['title', 'description', 'effortMinutes', 'category']);
    expect(task?.additionalProperties).toBe(false);
    expect(Object.keys(week?.properties ?? {})).toEqual(['week', 'theme', 'days']);
  });

  it('uses JSON mode or nothing for the other modes', () => {
    expect(planResponseFormat('json_object')).toEqual({ type: 'json_object' });
    expect(planResponseFormat('prompted')).toBeUndefined();
  });
});
