import { acceptsRequestBody, getPathParameters, type OpenApiMethod } from 'trpc-to-openapi';
import type { z } from 'zod';

/** The input fields of a REST operation that arrive as strings, with their schemas. */
export type StringParameters = Record<string, z.core.$ZodType>;

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const INTEGER = /^-?\d+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const BOOLEANS = new Map([
  ['true', true],
  ['1', true],
  ['false', false],
  ['0', false],
]);

/**
 * The fields of an operation's input that come from the URL, as strings: every field for GET
 * and DELETE (query and path parameters), only the path parameters for the others (the rest
 * is the JSON body, read as JSON).
 */
export function stringParameters(
  method: OpenApiMethod,
  path: string,
  inputs: readonly z.core.$ZodType[],
): StringParameters {
  // Several inputs merge as trpc-to-openapi merges them: a later field wins.
  const shape: StringParameters = Object.assign({}, ...inputs.map(objectShape));
  if (!acceptsRequestBody(method)) return shape;
  return Object.fromEntries(
    getPathParameters(path).flatMap((name) => (shape[name] ? [[name, shape[name]]] : [])),
  );
}

/**
 * `input` with each of its `parameters` read as the type its schema declares: numbers from
 * numeric strings only, booleans from 'true'/'1' and 'false'/'0', a single value of an array
 * parameter as a one-element array. Anything else stays a string, for validation to refuse.
 *
 * @example
 * readParameters({ week: z.number(), tags: z.array(z.string()) }, { week: '2', tags: 'a' });
 * // { week: 2, tags: ['a'] }
 */
export function readParameters(parameters: StringParameters, input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => {
      const schema = parameters[name];
      return [name, schema ? readParameter(schema, value) : value];
    }),
  );
}

function readParameter(schema: z.core.$ZodType, value: unknown): unknown {
  const def = (unwrap(schema) as z.core.$ZodTypes)._zod.def;
  if (def.type === 'array') {
    return (Array.isArray(value) ? value : [value]).map((item) => readParameter(def.element, item));
  }
  if (typeof value !== 'string') return value;
  switch (def.type) {
    case 'number':
      return NUMBER.test(value) ? Number(value) : value;
    case 'bigint':
      return INTEGER.test(value) ? BigInt(value) : value;
    case 'boolean':
      return BOOLEANS.get(value) ?? value;
    case 'date': {
      const date = new Date(value);
      return ISO_DATE.test(value) && !Number.isNaN(date.getTime()) ? date : value;
    }
    default:
      return value;
  }
}

/** The schema under the wrappers that do not change what a parameter's string means. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return unwrap(def.innerType);
    case 'pipe':
      return unwrap(def.in);
    case 'lazy':
      return unwrap(def.getter());
    default:
      return schema;
  }
}

function objectShape(input: z.core.$ZodType): StringParameters {
  const def = (unwrap(input) as z.core.$ZodTypes)._zod.def;
  return def.type === 'object' ? def.shape : {};
}
