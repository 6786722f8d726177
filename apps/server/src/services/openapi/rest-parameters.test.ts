import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readParameters, stringParameters } from './rest-parameters.js';

const input = z.object({
  goalId: z.string(),
  week: z.number().int(),
  limit: z.number().int().default(20),
  withSnapshot: z.boolean().default(false),
  priority: z.array(z.enum(['low', 'high'])).optional(),
  weeks: z.array(z.number()).optional(),
  status: z.enum(['open', 'done']).optional(),
  big: z.bigint().optional(),
  at: z.date().optional(),
});

describe('readParameters', () => {
  const all = stringParameters('GET', '/goals/{goalId}/weeks/{week}', [input]);
  const read = (query: Record<string, unknown>) =>
    readParameters(all, query) as Record<string, unknown>;

  it('reads numbers from numeric strings only', () => {
    expect(read({ week: '2', limit: '-1.5' })).toEqual({ week: 2, limit: -1.5 });
    expect(read({ week: '1e3' }).week).toBe(1000);
    for (const value of ['one', '0x1', ' 1', '1 ', '', 'Infinity', 'NaN']) {
      expect(read({ week: value }).week, value).toBe(value);
    }
  });

  it("reads booleans from 'true'/'1' and 'false'/'0', and leaves anything else", () => {
    expect(read({ withSnapshot: 'true' }).withSnapshot).toBe(true);
    expect(read({ withSnapshot: '1' }).withSnapshot).toBe(true);
    expect(read({ withSnapshot: 'false' }).withSnapshot).toBe(false);
    expect(read({ withSnapshot: '0' }).withSnapshot).toBe(false);
    expect(read({ withSnapshot: 'yes' }).withSnapshot).toBe('yes');
  });

  it('makes a single value of an array parameter a one-element array', () => {
    expect(read({ priority: 'high' }).priority).toEqual(['high']);
    expect(read({ priority: ['low', 'high'] }).priority).toEqual(['low', 'high']);
    expect(read({ weeks: '3' }).weeks).toEqual([3]);
    expect(read({ weeks: ['3', 'x'] }).weeks).toEqual([3, 'x']);
  });

  it('leaves strings, enums, unknown fields and non-string values as they are', () => {
    const query = { goalId: '42', status: 'done', other: '7', week: 3 };
    expect(read(query)).toEqual(query);
    expect(read({ big: '12', at: '2030-01-02' })).toEqual({
      big: 12n,
      at: new Date('2030-01-02'),
    });
    expect(read({ at: 'soon' }).at).toBe('soon');
    expect(readParameters(all, undefined)).toBeUndefined();
  });

  it('reads only the path parameters of an operation with a JSON body', () => {
    const body = stringParameters('POST', '/goals/{goalId}/weeks/{week}/restore', [input]);
    expect(Object.keys(body).sort()).toEqual(['goalId', 'week']);
    expect(readParameters(body, { week: '2', limit: '5', withSnapshot: 'true' })).toEqual({
      week: 2,
      limit: '5',
      withSnapshot: 'true',
    });
  });

  it('sees through wrappers and merges several inputs', () => {
    const wrapped = z
      .object({ n: z.number().nullable().optional() })
      .optional()
      .transform((value) => value);
    const parameters = stringParameters('GET', '/x', [wrapped, z.object({ flag: z.boolean() })]);
    expect(readParameters(parameters, { n: '4', flag: '0' })).toEqual({ n: 4, flag: false });
  });
});
