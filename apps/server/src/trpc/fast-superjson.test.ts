import { asPlainJson } from '@stepwise/core';
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { serialize } from './fast-superjson.js';

const samples: unknown[] = [
  null,
  'text',
  42,
  { a: 1, b: 'x', c: null, d: true },
  {
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    tags: ['a', 'b'],
    nested: { at: new Date(0) },
  },
  [
    { id: '1', due: '2026-01-01', completedAt: null },
    { id: '2', completedAt: new Date(5) },
  ],
  { 'key.with.dots': new Date(1), 'back\\slash': new Date(2), optional: undefined },
  { list: [undefined, 1, new Date(3)] },
  { empty: {}, none: [] },
];

describe('fast superjson serialize', () => {
  it.each(samples.map((s) => [s]))('round-trips %j exactly as superjson does', (sample) => {
    const fast = serialize(sample);
    expect(superjson.deserialize(fast)).toEqual(superjson.deserialize(superjson.serialize(sample)));
    expect(fast).toEqual(superjson.serialize(sample));
  });

  it('falls back to superjson for what it does not handle', () => {
    const sample = { map: new Map([['a', 1]]), big: 10n, nan: Number.NaN };
    expect(serialize(sample)).toEqual(superjson.serialize(sample));
    expect(superjson.deserialize(serialize(sample))).toEqual(sample);
  });

  it('hands marked json column values over as they are, without copying them', () => {
    const plan = asPlainJson({ title: 'P', weeks: [{ week: 1, days: [{ day: 1, tasks: [] }] }] });
    const dto = { id: 'v1', createdAt: new Date(7), plan };
    const fast = serialize(dto) as { json: { plan: unknown } };
    expect(fast.json.plan).toBe(plan);
    expect(fast).toEqual(superjson.serialize(dto));
    // Unmarked, the same shape is walked (and copied).
    const copy = serialize({ ...dto, plan: structuredClone(plan) }) as { json: { plan: unknown } };
    expect(copy.json.plan).toEqual(plan);
  });
});
