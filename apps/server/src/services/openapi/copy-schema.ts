import { z } from 'zod';

const isSchema = (value: unknown): value is z.core.$ZodType =>
  typeof (value as Partial<z.core.$ZodType> | undefined)?._zod?.def?.type === 'string';

/**
 * A deep copy of `schema` in which every part (object fields, wrapped, array, union and pipe
 * parts, lazy parts when first reached) is a new schema with its own def object, so a change
 * to a def of the copy leaves `schema` alone. trpc-to-openapi's handler sets `coerce` on the
 * defs of the input schemas it serves; given copies, it cannot turn on coercion in the schemas
 * tRPC validates with. Checks and refinements are shared, as they are never changed. The copy
 * has no metadata of its own (descriptions, ids).
 *
 * @example
 * const copy = copySchema(z.object({ week: z.number() }));
 * (copy.shape.week._zod.def as { coerce?: boolean }).coerce = true; // the original still refuses '1'
 */
export function copySchema<T extends z.core.$ZodType>(
  schema: T,
  copies = new Map<z.core.$ZodType, z.core.$ZodType>(),
): T {
  const known = copies.get(schema);
  if (known) return known as T;
  const def: Record<string, unknown> = Object.defineProperties(
    {},
    Object.getOwnPropertyDescriptors(schema._zod.def),
  );
  const set = (key: string, value: unknown) =>
    Object.defineProperty(def, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  for (const key of Object.keys(def)) {
    if (key === 'checks') continue;
    const value = def[key];
    if (isSchema(value)) {
      set(key, copySchema(value, copies));
    } else if (Array.isArray(value) && value.length > 0 && value.every(isSchema)) {
      set(
        key,
        value.map((part) => copySchema(part, copies)),
      );
    } else if (key === 'shape' && value && typeof value === 'object') {
      set(
        key,
        Object.fromEntries(
          Object.entries(value).map(([name, field]) => [name, copySchema(field, copies)]),
        ),
      );
    }
  }
  if (def.type === 'lazy') {
    const getter = def.getter as () => z.core.$ZodType;
    set('getter', () => copySchema(getter(), copies));
  }
  const copy = z.core.util.clone(schema, def as unknown as T['_zod']['def']);
  copies.set(schema, copy);
  return copy;
}
