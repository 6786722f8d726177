import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { StructuredOutputMode } from '../providers/provider-profiles.js';
import { ZPlan } from './plan.schema.js';

/** Keywords strict structured-output implementations reject; `ZPlan` still enforces them. */
const UNSUPPORTED_KEYWORDS = new Set(['$schema', 'default', 'minLength', 'maxLength', 'pattern']);

function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!UNSUPPORTED_KEYWORDS.has(key)) out[key] = strictify(value);
  }
  if (out.type === 'object' && typeof out.properties === 'object' && out.properties !== null) {
    // Strict mode wants every property required; optional ones (task `metrics`) are left out.
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    const properties = Object.entries(out.properties).filter(([key]) => required.has(key));
    out.properties = Object.fromEntries(properties);
    out.required = properties.map(([key]) => key);
    out.additionalProperties = false;
  }
  return out;
}

let cachedSchema: Record<string, unknown> | undefined;

/**
 * JSON Schema of `ZPlan` in the subset strict structured outputs accept: every property
 * required, no additional properties, no length or pattern keywords. Optional properties (task
 * `metrics`) are dropped, since strict mode cannot make a property optional; `ZPlan` still
 * accepts them. Property order is kept (`week` before `days`, `day`/`date` before `tasks`),
 * which lets `streamPlan` place each task as soon as it closes.
 */
export function planJsonSchema(): Record<string, unknown> {
  cachedSchema ??= strictify(z.toJSONSchema(ZPlan, { io: 'output' })) as Record<string, unknown>;
  return cachedSchema;
}

/** The `response_format` body field for a structured-output mode (`undefined` when prompted). */
export function planResponseFormat(
  mode: StructuredOutputMode,
): ChatCompletionCreateParams['response_format'] {
  switch (mode) {
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: { name: 'plan', strict: true, schema: planJsonSchema() },
      };
    case 'json_object':
      return { type: 'json_object' };
    case 'prompted':
      return undefined;
  }
}
