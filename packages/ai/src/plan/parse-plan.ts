import { jsonrepair } from 'jsonrepair';
import type { z } from 'zod';
import { extractJson } from './extract-json.js';
import { type TPlan, ZPlan } from './plan.schema.js';

/** One validation problem, e.g. `{ path: 'weeks.0.days.2.tasks.1.effortMinutes', message: '…' }`. */
export interface PlanIssue {
  path: string;
  message: string;
}

/** Why an answer could not be turned into a plan. */
export type PlanParseFailure = 'truncated' | 'no_json' | 'invalid_json' | 'invalid_plan';

export type ParsePlanResult =
  | { ok: true; plan: TPlan; repaired: boolean }
  | { ok: false; reason: PlanParseFailure; message: string; issues: PlanIssue[] };

export interface ParsePlanOptions {
  /** The stream's `finish_reason`; `'length'` means the model hit its token limit. */
  finishReason?: string | null | undefined;
}

/** Flattens zod issues into `{ path, message }` pairs with dotted paths. */
export function toPlanIssues(error: z.ZodError): PlanIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts `{ "plan": { …weeks… } }` as well as the plan itself. */
function unwrapPlan(value: unknown): unknown {
  if (isRecord(value) && !('weeks' in value)) {
    const inner = Object.values(value);
    if (inner.length === 1 && isRecord(inner[0]) && 'weeks' in inner[0]) return inner[0];
  }
  return value;
}

function validate(value: unknown, repaired: boolean): ParsePlanResult {
  const result = ZPlan.safeParse(unwrapPlan(value));
  if (result.success) return { ok: true, plan: result.data, repaired };
  const issues = toPlanIssues(result.error);
  return {
    ok: false,
    reason: 'invalid_plan',
    message: 'the plan does not match the schema',
    issues,
  };
}

function failure(reason: PlanParseFailure, message: string): ParsePlanResult {
  return { ok: false, reason, message, issues: [] };
}

/**
 * Turns a model's full answer into a validated plan. Reasoning blocks, code fences and prose
 * around the JSON are ignored. Truncated output (`finish_reason: 'length'`, or brackets left
 * open) is never repaired, because a repaired truncation silently drops the end of the plan;
 * other malformed JSON (trailing commas, comments, single quotes) is fixed with `jsonrepair`.
 * A `length` answer whose JSON is nevertheless complete and valid as written is accepted.
 *
 * @example
 * const result = parsePlan(text, { finishReason: 'stop' });
 * if (!result.ok) console.log(result.reason, result.issues);
 */
export function parsePlan(text: string, options: ParsePlanOptions = {}): ParsePlanResult {
  const hitLimit = options.finishReason === 'length';
  const extracted = extractJson(text);
  if (!extracted) {
    return hitLimit
      ? failure('truncated', 'the answer was cut off before any JSON')
      : failure('no_json', 'the answer contains no JSON object');
  }
  if (!extracted.balanced) return failure('truncated', 'the JSON was cut off before it closed');

  let value: unknown;
  try {
    value = JSON.parse(extracted.json);
  } catch {
    if (hitLimit) return failure('truncated', 'the answer hit the token limit');
    try {
      return validate(JSON.parse(jsonrepair(extracted.json)), true);
    } catch {
      return failure('invalid_json', 'the JSON could not be parsed or repaired');
    }
  }
  const result = validate(value, false);
  if (!result.ok && hitLimit) return failure('truncated', 'the answer hit the token limit');
  return result;
}
