import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isTrackedEnvelope, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { ZId } from '../../routers/ids.js';
import { ZTaskFields } from '../../routers/task.router.js';
import type { Context } from '../../trpc/context.js';
import { createCaller } from '../../trpc/root.js';
import { PLAN_TERMINAL_TYPES, type PlanProgressEvent } from '../plans/plan-events.js';

const SERVER_INFO = { name: 'stepwise', title: 'Stepwise', version: '1.0.0' };

const INSTRUCTIONS =
  "Stepwise keeps the user's goals, their AI-generated plans (weeks of dated tasks) and " +
  'standalone to-do tasks. Use list_tasks / list_goals to find ids before changing anything. ' +
  "Dates are YYYY-MM-DD and times HH:MM in the user's own time zone. Every tool acts as the " +
  'owner of the API key, within its scopes.';

const ZDate = z.iso.date();
const task = ZTaskFields.shape;

/** The fields a task is created or updated with (all optional here), as `task.*` checks them. */
const TASK_FIELDS = {
  notes: task.notes.optional().describe('free text details'),
  dueDate: task.dueDate.optional().describe('due date YYYY-MM-DD; null clears it'),
  dueTime: task.dueTime
    .optional()
    .describe("time of day on the due date, 'HH:MM' (needs a due date); null clears it"),
  reminderMinutes: task.reminderMinutes
    .optional()
    .describe('remind this many minutes before the due time (default 30); null: no reminder'),
  priority: task.priority.optional().describe('default medium'),
  tags: task.tags.optional().describe('labels, e.g. ["errands"]'),
  effortMinutes: task.effortMinutes.optional().describe('estimated minutes of work'),
};

type Caller = ReturnType<typeof createCaller>;

/** A failure reported to the model as it is: not a fault of the server. */
class ToolFailure extends Error {}

/**
 * An MCP server with Stepwise's task and plan tools. Each call runs the matching tRPC procedure
 * through `createCaller` with the context `getContext` gives (the API key's user and scopes),
 * so validation, ownership and scopes are exactly those of tRPC. `getContext` is called per
 * tool call: the stdio entry re-checks its key each time, so a revoked key stops at once.
 *
 * @example
 * const server = createMcpServer(() => ctx);
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(getContext: () => Context | Promise<Context>): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  const withCaller =
    <A>(
      run: (
        caller: Caller,
        args: A,
        call: { context: Context; signal: AbortSignal },
      ) => Promise<unknown>,
    ) =>
    async (args: A, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        const context = await getContext();
        const call = { context, signal: extra.signal };
        return toolResult(await run(createCaller(context), args, call));
      } catch (error) {
        return toolError(error);
      }
    };
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description:
        "Lists the user's tasks, both standalone to-dos and tasks of goal plans, soonest due " +
        'first. Filter by goal, status, due date or words; returns { items, nextCursor } (pass ' +
        'nextCursor back as cursor for more).',
      inputSchema: {
        goalId: ZId.nullable()
          .optional()
          .describe('only tasks of this goal; null for standalone tasks only'),
        status: z.enum(['open', 'done', 'all']).optional().describe('default all'),
        due: z
          .enum(['today', 'overdue'])
          .optional()
          .describe("due today, or open and past due, on the user's clock"),
        dueFrom: ZDate.optional().describe('due on or after this date'),
        dueTo: ZDate.optional().describe('due on or before this date'),
        search: z.string().max(200).optional().describe('words in the title or notes'),
        limit: z.number().int().min(1).max(100).optional().describe('page size, default 50'),
        cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      },
      annotations: readOnly,
    },
    withCaller((caller, args) => caller.task.list(args)),
  );

  server.registerTool(
    'get_task',
    {
      title: 'Get a task',
      description: 'One task by id, with all its fields.',
      inputSchema: { taskId: ZId },
      annotations: readOnly,
    },
    withCaller((caller, args) => caller.task.get(args)),
  );

  server.registerTool(
    'add_task',
    {
      title: 'Add a task',
      description:
        'Creates a task: a standalone to-do, or one in a goal (goalId). With a due date and ' +
        'time the user is reminded before it. Returns the task.',
      inputSchema: {
        title: z.string().min(1).max(200).describe('what to do, short'),
        goalId: ZId.optional().describe('the goal it belongs to; omit for a standalone task'),
        ...TASK_FIELDS,
      },
      annotations: { openWorldHint: false },
    },
    withCaller((caller, args) => caller.task.create(args)),
  );

  server.registerTool(
    'update_task',
    {
      title: 'Update a task',
      description:
        'Changes the given fields of a task; fields left out stay as they are. Returns the task.',
      inputSchema: {
        taskId: ZId,
        title: z.string().min(1).max(200).optional(),
        ...TASK_FIELDS,
      },
      annotations: { idempotentHint: true, openWorldHint: false },
    },
    withCaller((caller, args) => caller.task.update(args)),
  );

  server.registerTool(
    'complete_task',
    {
      title: 'Complete a task',
      description:
        'Marks a task done (or open again with completed: false). Completing a recurring task ' +
        'creates its next occurrence, returned as next. Returns { task, next }.',
      inputSchema: {
        taskId: ZId,
        completed: z.boolean().optional().describe('default true; false reopens the task'),
      },
      annotations: { idempotentHint: true, openWorldHint: false },
    },
    withCaller((caller, { taskId, completed }) =>
      caller.task.setComplete({ taskId, completed: completed ?? true }),
    ),
  );

  server.registerTool(
    'delete_task',
    {
      title: 'Delete a task',
      description: 'Deletes a task for good. Returns { taskId }.',
      inputSchema: { taskId: ZId },
      annotations: { destructiveHint: true, openWorldHint: false },
    },
    withCaller((caller, args) => caller.task.delete(args)),
  );

  server.registerTool(
    'list_goals',
    {
      title: 'List goals',
      description:
        "Lists the user's goals (each with a generated plan), newest first, with task counts. " +
        'Returns { items, nextCursor }.',
      inputSchema: {
        status: z
          .enum(['generating', 'active', 'completed', 'archived', 'failed'])
          .optional()
          .describe('only goals with this status'),
        limit: z.number().int().min(1).max(100).optional().describe('page size, default 20'),
        cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
      },
      annotations: readOnly,
    },
    withCaller((caller, args) => caller.goal.list(args)),
  );

  server.registerTool(
    'get_goal',
    {
      title: 'Get a goal with its plan',
      description:
        'A goal with its current plan version and all its tasks (week, day, due date, done or ' +
        'not).',
      inputSchema: { goalId: ZId },
      annotations: readOnly,
    },
    withCaller((caller, args) => caller.goal.get(args)),
  );

  server.registerTool(
    'generate_plan',
    {
      title: 'Generate a plan for a goal',
      description:
        'Creates a goal and has the AI planner write a plan for it: weeks of dated tasks that ' +
        'fit the daily time. Waits (up to waitSeconds) for the plan and returns the goal with ' +
        'its tasks; if it is not ready by then, returns the goalId and status "generating": ' +
        'call get_goal later. Needs the plans:write and plans:read scopes.',
      inputSchema: {
        goal: z.string().min(3).max(500).describe("the goal in the user's words"),
        durationWeeks: z.number().int().min(1).max(52).optional().describe('default 4'),
        startDate: ZDate.optional().describe('first day of the plan; default today'),
        dailyHours: z
          .number()
          .min(0.25)
          .max(12)
          .optional()
          .describe('time available per day, in hours; default 1'),
        level: z.enum(['beginner', 'intermediate', 'advanced']).optional(),
        notes: z.string().max(2000).optional().describe('constraints and preferences'),
        waitSeconds: z
          .number()
          .min(0)
          .max(60)
          .optional()
          .describe('how long to wait for the plan, default 20; 0 returns at once'),
      },
      annotations: { openWorldHint: false },
    },
    withCaller(async (caller, { waitSeconds, ...request }, call) => {
      const { goalId, generationId } = await caller.plan.generate(request);
      const outcome = await waitForPlan(call, generationId, (waitSeconds ?? 20) * 1000);
      if (outcome?.type === 'failed') {
        throw new ToolFailure(
          `the plan could not be generated (${outcome.code}): ${outcome.message}`,
        );
      }
      if (!outcome) return { status: 'generating', goalId, generationId };
      return { status: 'completed', goalId, generationId, goal: await caller.goal.get({ goalId }) };
    }),
  );

  return server;
}

/**
 * The generation's `completed` or `failed` event, read from `plan.progress` (so through the
 * same scopes); undefined when neither came within `waitMs`, the client cancelled the call or
 * the server is shutting down.
 */
async function waitForPlan(
  { context, signal: cancelled }: { context: Context; signal: AbortSignal },
  generationId: string,
  waitMs: number,
) {
  if (waitMs <= 0) return undefined;
  const signal = AbortSignal.any([AbortSignal.timeout(waitMs), cancelled, context.shutdown.signal]);
  const events = await createCaller(context, { signal }).plan.progress({ generationId });
  for await (const item of events as AsyncIterable<unknown>) {
    const event = (isTrackedEnvelope(item) ? item[1] : item) as PlanProgressEvent;
    if ((PLAN_TERMINAL_TYPES as readonly string[]).includes(event.type)) {
      return event as Extract<PlanProgressEvent, { type: 'completed' | 'failed' }>;
    }
  }
  return undefined;
}

/** A tool's answer: its JSON as text (what a model reads) and as structured content. */
function toolResult(value: unknown): CallToolResult {
  const text = JSON.stringify(value);
  const json = JSON.parse(text) as unknown;
  const structured =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : { result: json };
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/**
 * A failed call as a tool error the model can act on: the tRPC code, the message and, for
 * invalid input, each field's problem. Server faults say no more than that.
 */
function toolError(error: unknown): CallToolResult {
  let text = 'INTERNAL_SERVER_ERROR: the call failed';
  if (error instanceof ToolFailure) text = error.message;
  else if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') {
    text = `${error.code}: ${error.message}`;
    if (error.cause instanceof ZodError) {
      text = `${error.code}: invalid input\n${error.cause.issues
        .map((issue) => `- ${issue.path.join('.') || '(input)'}: ${issue.message}`)
        .join('\n')}`;
    }
  }
  return { content: [{ type: 'text', text }], isError: true };
}
