const registry = new WeakSet<object>();

/**
 * Marks a value as plain JSON (as parsed from a `json`/`jsonb` column: objects, arrays,
 * strings, finite numbers, booleans, null; no Date, no undefined), so output serialization
 * can hand it to `JSON.stringify` as it is instead of walking it. Returns the value.
 * Mark only values nobody mutates afterwards into something else.
 */
export function asPlainJson<T>(value: T): T {
  if (typeof value === 'object' && value !== null) registry.add(value);
  return value;
}

/** True for a value marked with `asPlainJson`. */
export const isPlainJson = (value: object): boolean => registry.has(value);
