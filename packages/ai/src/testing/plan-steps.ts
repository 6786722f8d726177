import type { TPlan } from '../plan/plan.schema.js';
import type { MockStep, MockUsage } from './mock-steps.js';

export interface PlanStepOptions {
  /** Characters per streamed chunk (default 40). */
  chunkSize?: number;
  delayMs?: number;
  finishReason?: 'stop' | 'length' | null;
  usage?: MockUsage;
}

function chunk(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function streamOf(text: string, options: PlanStepOptions): MockStep {
  return {
    kind: 'stream',
    chunks: chunk(text, Math.max(1, options.chunkSize ?? 40)),
    finishReason: options.finishReason === undefined ? 'stop' : options.finishReason,
    ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }),
    ...(options.usage === undefined ? {} : { usage: options.usage }),
  };
}

/** Plan JSON whose first task has an effort of 0 minutes and no title: fails `ZPlan`. */
function invalidJson(plan: TPlan): string {
  const copy = structuredClone(plan) as unknown as {
    weeks: { days: { tasks: Record<string, unknown>[] }[] }[];
  };
  const task = copy.weeks[0]?.days[0]?.tasks[0];
  if (task) {
    task.effortMinutes = 0;
    delete task.title;
  }
  return JSON.stringify(copy);
}

/** Builders of mock steps that answer with a given plan in the ways real models do. */
export const planSteps = {
  /** The plan as bare JSON, streamed in chunks. */
  streamJson: (plan: TPlan, options: PlanStepOptions = {}): MockStep =>
    streamOf(JSON.stringify(plan), options),
  /** Prose, then the JSON in a ```json fence, then more prose. */
  inFences: (plan: TPlan, options: PlanStepOptions = {}): MockStep =>
    streamOf(
      `Here is your plan:\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\`\nGood luck!`,
      options,
    ),
  /** A `<think>` block (with braces in it) before the JSON. */
  inThinkBlock: (plan: TPlan, options: PlanStepOptions = {}): MockStep =>
    streamOf(
      `<think>The person wants {weeks: ${plan.weeks.length}}. Start with basics.</think>\n${JSON.stringify(plan)}`,
      options,
    ),
  /** Well-formed JSON that does not match the plan schema. */
  schemaInvalid: (plan: TPlan, options: PlanStepOptions = {}): MockStep =>
    streamOf(invalidJson(plan), options),
  /** The first `fraction` of the JSON with `finish_reason: 'length'`. */
  truncated: (plan: TPlan, fraction = 0.5, options: PlanStepOptions = {}): MockStep => {
    const json = JSON.stringify(plan);
    return streamOf(json.slice(0, Math.floor(json.length * fraction)), {
      finishReason: 'length',
      ...options,
    });
  },
};
