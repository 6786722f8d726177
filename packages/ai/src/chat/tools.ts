import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';

const ZTaskId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe('A task id exactly as list_tasks returns it');
const ZDate = z.iso.date().describe('A calendar date, YYYY-MM-DD');
const ZPriority = z.enum(['low', 'medium', 'high', 'urgent']);
const ZTitle = z.string().trim().min(1).max(200);
const ZNotes = z.string().trim().max(2000);
const ZTags = z
  .array(z.string().trim().toLowerCase().min(1).max(40))
  .max(10)
  .describe('Short lowercase labels');
const ZWeek = z.number().int().min(1).max(52).describe('Plan week, counted from 1');

/** Arguments of `list_tasks`: the caller's tasks, filtered. Defaults: open tasks, 20 of them. */
export const ZListTasksArgs = z.object({
  status: z.enum(['open', 'done', 'all']).default('open'),
  week: ZWeek.optional(),
  dueFrom: ZDate.optional().describe('Only tasks due on or after this date (YYYY-MM-DD)'),
  dueTo: ZDate.optional().describe('Only tasks due on or before this date (YYYY-MM-DD)'),
  search: z.string().trim().min(1).max(200).optional().describe('Words of the title or notes'),
  limit: z.number().int().min(1).max(50).default(20),
});
export type TListTasksArgs = z.infer<typeof ZListTasksArgs>;

/** Arguments of `add_task`. Without `goalId` the server decides (e.g. the conversation's goal). */
export const ZAddTaskArgs = z.object({
  title: ZTitle,
  notes: ZNotes.optional(),
  dueDate: ZDate.optional(),
  priority: ZPriority.optional(),
  tags: ZTags.optional(),
  goalId: z.string().trim().min(1).max(100).optional(),
  week: ZWeek.optional(),
  day: z.number().int().min(1).max(7).optional().describe('Day 1–7 within the plan week'),
});
export type TAddTaskArgs = z.infer<typeof ZAddTaskArgs>;

/** Arguments of `update_task`; `null` clears `notes` or `dueDate`. At least one change. */
export const ZUpdateTaskArgs = z
  .object({
    taskId: ZTaskId,
    title: ZTitle.optional(),
    notes: ZNotes.nullable().optional().describe('New notes; null clears them'),
    dueDate: ZDate.nullable().optional().describe('New due date (YYYY-MM-DD); null clears it'),
    priority: ZPriority.optional(),
    tags: ZTags.optional().describe('Replaces all tags; [] removes them'),
  })
  .refine(
    (args) => Object.entries(args).some(([key, value]) => key !== 'taskId' && value !== undefined),
    { message: 'give at least one field to change' },
  );
export type TUpdateTaskArgs = z.infer<typeof ZUpdateTaskArgs>;

/** Arguments of `complete_task`; `completed: false` reopens the task. */
export const ZCompleteTaskArgs = z.object({
  taskId: ZTaskId,
  completed: z.boolean().default(true),
});
export type TCompleteTaskArgs = z.infer<typeof ZCompleteTaskArgs>;

/** Arguments of `delete_task`. */
export const ZDeleteTaskArgs = z.object({ taskId: ZTaskId });
export type TDeleteTaskArgs = z.infer<typeof ZDeleteTaskArgs>;

/** Arguments of `revise_plan`: what to change, in words; the plan pipeline writes the new version. */
export const ZRevisePlanArgs = z.object({
  instructions: z
    .string()
    .trim()
    .min(3)
    .max(2000)
    .describe('What to change in the plan and why, e.g. "move long runs to Saturdays"'),
});
export type TRevisePlanArgs = z.infer<typeof ZRevisePlanArgs>;

/** A tool a model may call: its name, what it does, and the schema of its arguments. */
export interface AgentTool {
  name: string;
  description: string;
  schema: z.ZodObject;
}

/** A validated call of one of the tools `T`, discriminated by `name` (`args` narrows). */
export type ToolCallOf<T extends AgentTool> = {
  [N in T['name']]: { id: string; name: N; args: z.output<Extract<T, { name: N }>['schema']> };
}[T['name']];

function defineTool<const N extends string, S extends z.ZodObject>(
  name: N,
  description: string,
  schema: S,
) {
  return { name, description, schema };
}

/**
 * The assistant's tools. The server executes them (only on the caller's data); this package
 * only describes and validates them.
 */
export const CHAT_TOOLS = [
  defineTool(
    'list_tasks',
    "List the person's tasks with their ids. Call it before changing a task whose id you do not know.",
    ZListTasksArgs,
  ),
  defineTool(
    'add_task',
    'Create a task. Give a due date or a plan week/day when the person mentions when.',
    ZAddTaskArgs,
  ),
  defineTool(
    'update_task',
    'Change the title, notes, due date, priority or tags of a task.',
    ZUpdateTaskArgs,
  ),
  defineTool(
    'complete_task',
    'Mark a task as done, or reopen it with completed: false.',
    ZCompleteTaskArgs,
  ),
  defineTool(
    'delete_task',
    'Delete a task for good. Only when the person asks for it.',
    ZDeleteTaskArgs,
  ),
  defineTool(
    'revise_plan',
    'Propose a revision of the whole plan (e.g. change the pace, move days, add a week). The new plan version keeps completed tasks. Use it for changes to many tasks at once.',
    ZRevisePlanArgs,
  ),
] as const;

/** One tool of `CHAT_TOOLS`. */
export type ChatTool = (typeof CHAT_TOOLS)[number];
export type ChatToolName = ChatTool['name'];
/** The validated arguments of tool `N` (defaults applied). */
export type ChatToolArgs<N extends ChatToolName> = z.output<
  Extract<ChatTool, { name: N }>['schema']
>;
/** A validated tool call, discriminated by `name` so that `args` narrows in a `switch`. */
export type ChatToolCall = ToolCallOf<ChatTool>;

/** What `parseToolArguments` returns; it never throws. */
export type ParsedToolArguments<T extends AgentTool = ChatTool> =
  | ({ ok: true } & Omit<ToolCallOf<T>, 'id'>)
  | { ok: false; error: string };

function cleanJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(cleanJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>)
    // `z.iso.date()` adds a 300-character regex next to `format: date`; the format says enough.
    .filter(([key]) => key !== '$schema' && !(key === 'pattern' && 'format' in node))
    .map(([key, value]) => [key, cleanJsonSchema(value)]);
  return Object.fromEntries(entries);
}

/**
 * The OpenAI `tools` request parameter for the given tools (all of `CHAT_TOOLS` by default).
 * Parameters are the zod schemas' input JSON Schema, not in `strict` mode: the arguments are
 * validated by `parseToolArguments` anyway, and strict mode is not supported everywhere.
 *
 * @example
 * client.chat.completions.create({ model, messages, tools: chatToolSpecs() });
 */
export function chatToolSpecs(
  tools: readonly AgentTool[] = CHAT_TOOLS,
): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: cleanJsonSchema(z.toJSONSchema(tool.schema, { io: 'input' })) as Record<
        string,
        unknown
      >,
    },
  }));
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/** Models often send `null` for "not given": drop it unless the field accepts `null`. */
function dropNulls(tool: AgentTool, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const shape: Record<string, z.ZodType> = tool.schema.shape;
  return Object.fromEntries(
    Object.entries(value).filter(
      ([key, field]) => field !== null || shape[key]?.safeParse(null).success === true,
    ),
  );
}

/**
 * Validates the raw arguments of a tool call the model made. Never throws: an unknown tool,
 * arguments that are not JSON or that fail the schema give `{ ok: false, error }`, an error
 * meant to be shown to the model so it can correct the call. Empty arguments count as `{}`;
 * `null` for a field that cannot be null counts as absent; unknown fields are dropped.
 *
 * @example
 * parseToolArguments('complete_task', '{"taskId":"t1"}'); // { ok: true, name: 'complete_task', args: { taskId: 't1', completed: true } }
 * parseToolArguments('delete_task', '{}'); // { ok: false, error: 'invalid arguments for delete_task: taskId: …' }
 */
export function parseToolArguments<T extends AgentTool = ChatTool>(
  name: string,
  rawJson: string,
  tools: readonly T[] = CHAT_TOOLS as unknown as readonly T[],
): ParsedToolArguments<T> {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) {
    return {
      ok: false,
      error: `unknown tool "${name}"; available tools: ${tools.map((t) => t.name).join(', ') || 'none'}`,
    };
  }
  let value: unknown;
  try {
    value = rawJson.trim() === '' ? {} : JSON.parse(rawJson);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the arguments of ${name} are not valid JSON: ${reason}` };
  }
  const parsed = tool.schema.safeParse(dropNulls(tool, value));
  if (!parsed.success) {
    return { ok: false, error: `invalid arguments for ${name}: ${formatIssues(parsed.error)}` };
  }
  return { ok: true, name: tool.name, args: parsed.data } as ParsedToolArguments<T>;
}
