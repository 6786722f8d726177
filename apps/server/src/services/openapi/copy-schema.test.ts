import { coerceSchema } from 'trpc-to-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { copySchema } from './copy-schema.js';

type Node = { value: number; children: Node[] };
const ZNode: z.ZodType<Node> = z.object({
  value: z.number(),
  children: z.array(z.lazy(() => ZNode)),
});

const schema = z.object({
  week: z.number().int().min(1),
  done: z.boolean().default(false),
  tags: z.array(z.number()).optional(),
  range: z.object({ from: z.number().nullable(), to: z.date() }),
});

const strings = {
  week: '2',
  done: 'false',
  tags: ['3'],
  range: { from: '1', to: '2030-01-01' },
};

describe('copySchema', () => {
  it('takes the coercion trpc-to-openapi turns on, and leaves the original refusing strings', () => {
    const copy = copySchema(schema);
    coerceSchema(copy);
    const shape = copy.shape.range.shape;
    expect(shape.from.unwrap()._zod.def.coerce).toBe(true);

    // The copy coerces (so the library really changed it), the original still refuses.
    expect(copy.safeParse(strings).data).toMatchObject({ week: 2, done: true, tags: [3] });
    const refused = schema.safeParse(strings).error?.issues.map((issue) => issue.path.join('.'));
    expect(refused).toEqual(['week', 'done', 'tags.0', 'range.from', 'range.to']);
    expect(schema.shape.range.shape.from.unwrap()._zod.def.coerce).toBeUndefined();
  });

  it('copies lazy and recursive parts without touching them', () => {
    // (Not through coerceSchema: it recurses forever into a recursive schema.)
    const copy = copySchema(z.object({ tree: z.lazy(() => ZNode).optional() }));
    const tree = { value: 1, children: [{ value: 2, children: [] }] };
    expect(copy.parse({ tree }).tree).toEqual(tree);
    const lazyCopy = copy.shape.tree.unwrap();
    const node = lazyCopy._zod.def.getter() as typeof ZNode & z.ZodObject;
    expect(node).not.toBe(ZNode);
    (node.shape.value._zod.def as { coerce?: boolean }).coerce = true;
    expect(ZNode.safeParse({ value: '1', children: [] }).success).toBe(false);
  });

  it('keeps checks and refinements', () => {
    const refined = z
      .object({ from: z.number(), to: z.number().max(10) })
      .refine((range) => range.from <= range.to, { path: ['to'], message: 'before from' });
    const copy = copySchema(refined);
    expect(copy.safeParse({ from: 1, to: 11 }).success).toBe(false);
    expect(copy.safeParse({ from: 5, to: 2 }).error?.issues[0]?.message).toBe('before from');
    expect(copy.parse({ from: 1, to: 2 })).toEqual({ from: 1, to: 2 });
  });
});
