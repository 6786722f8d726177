import {
  answerOffline,
  buildChatMessages,
  type ChatReply,
  type ChatTask,
  fitHistory,
  foldIntoSummary,
  streamChatReply,
  summarizePlan,
} from '@stepwise/ai';
import type { TPlan, TUsage } from '@stepwise/ai/schema';
import { isDomainError } from '@stepwise/core';
import {
  appendStreamEvent,
  completeMessage,
  findConversation,
  finishGeneration,
  getGoalWithPlan,
  listMessages,
  listStreamEvents,
  startGenerationAttempt,
  type TaskDto,
  touchGeneration,
  updateConversationSummary,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { todayUtc } from '../plans/plan-generation.service.js';
import { WorkerShutdownError } from '../plans/run-plan-generation.js';
import type { ChatEndReason, ChatStreamEvent } from './chat-events.js';
import { executeChatTool } from './chat-tools.js';
import { replyFromEvents } from './reply-from-events.js';

type Services = Pick<AppServices, 'db' | 'ai' | 'hub' | 'logger' | 'env'>;

/** Recent turns are sent as they are within this budget; older ones are folded into a summary. */
const HISTORY_TOKEN_BUDGET = 3_000;

const toChatTask = (task: TaskDto): ChatTask => ({
  id: task.id,
  title: task.title,
  week: task.week,
  day: task.day,
  dueDate: task.dueDate,
  effortMinutes: task.effortMinutes,
  priority: task.priority,
  completed: task.completedAt !== null,
});

/**
 * One assistant reply: builds the context (plan summary, scoped tasks, recent history and the
 * running summary), streams the model's answer as `delta` events (coalesced while a write is in
 * flight), runs tool calls on the caller's data, then stores the reply exactly as it was
 * streamed, with `end { usage }`, or `error`. Without an LLM the offline assistant answers.
 */
export async function runChatReply(
  services: Services,
  input: { generationId: string; signal?: AbortSignal; isLastAttempt: boolean },
): Promise<void> {
  const { db, hub, logger } = services;
  const generation = await startGenerationAttempt(db, input.generationId);
  if (!generation?.conversation_id) return;
  const { userMessageId, assistantMessageId } = generation.input as {
    userMessageId: string;
    assistantMessageId: string;
  };
  const userId = generation.user_id;
  const log = logger.child({ generationId: generation.id, attempt: generation.attempts });

  // Ordered event writes; consecutive deltas merge while the previous write is in flight.
  const queue: ChatStreamEvent[] = [];
  let draining: Promise<void> | undefined;
  const drain = async () => {
    while (queue.length > 0) {
      const event = queue.shift()!;
      // Subscribers get it through NOTIFY, in commit order: handing it out here first could
      // overtake an event another transaction committed just before (`chat.stop`'s `end`).
      await appendStreamEvent(db, { generationId: generation.id, type: event.type, data: event });
    }
    draining = undefined;
  };
  const emit = (event: ChatStreamEvent) => {
    const last = queue.at(-1);
    if (event.type === 'delta' && last?.type === 'delta') last.text += event.text;
    else queue.push(event);
    draining ??= drain();
  };
  const flush = async () => {
    while (draining) await draining;
  };

  const stop = new AbortController();
  const unsubscribe = hub.subscribe(generation.id, {
    onEvent: (event) => {
      if (event.type === 'end') stop.abort(new Error('stopped'));
    },
    onResync: () => {},
  });
  const onShutdown = () => stop.abort(new WorkerShutdownError('worker shutting down'));
  input.signal?.addEventListener('abort', onShutdown);
  const heartbeat = setInterval(() => {
    touchGeneration(db, generation.id).catch((error: unknown) =>
      log.warn({ err: error }, 'heartbeat failed'),
    );
  }, services.env.WORKER_STALE_AFTER_MS / 6);

  try {
    const previous = await listStreamEvents(db, { generationId: generation.id });
    if (previous.some((e) => e.type !== 'start')) {
      // A retry after a crash mid-reply: the model cannot continue a half-sent stream.
      await endWithError(
        services,
        generation.id,
        assistantMessageId,
        'INTERNAL',
        'the reply was interrupted',
      );
      return;
    }
    const context = await loadContext(services, {
      userId,
      conversationId: generation.conversation_id,
      userMessageId,
    });
    let reply: Pick<ChatReply, 'finishReason'> & { usage: TUsage | null };
    if (services.ai.mode === 'offline') {
      const answer = answerOffline({
        question: context.question,
        today: context.today,
        goal: context.goal,
        tasks: context.tasks,
        progress: context.progress,
      });
      for (const chunk of answer.chunks) emit({ type: 'delta', text: chunk });
      reply = { finishReason: 'stop', usage: null };
    } else {
      reply = await streamChatReply({
        config: services.ai,
        messages: context.messages,
        signal: stop.signal,
        onDelta: (text) => emit({ type: 'delta', text }),
        onToolCall: async (call) => {
          emit({
            type: 'tool_call',
            id: call.id,
            name: call.name,
            args: call.valid ? call.args : call.rawArguments,
            valid: call.valid,
          });
          await flush();
        },
        onToolResult: async (result) => {
          emit({
            type: 'tool_result',
            id: result.id,
            name: result.name,
            ...(result.error !== undefined ? { error: result.error } : { result: result.result }),
          });
          await flush();
        },
        executeTool: (call) =>
          executeChatTool(
            services,
            {
              userId,
              goalId: context.goalId,
              signal: stop.signal,
              emit: async (event) => {
                emit(event);
                await flush();
              },
            },
            call,
          ),
      });
    }
    await flush();
    if (stop.signal.reason instanceof WorkerShutdownError) throw stop.signal.reason;
    const reason: ChatEndReason =
      reply.finishReason === 'cancelled'
        ? 'stopped'
        : reply.finishReason === 'length' || reply.finishReason === 'tool_rounds_exhausted'
          ? reply.finishReason
          : 'complete';
    await finishReply(services, {
      generationId: generation.id,
      assistantMessageId,
      reason,
      usage: reply.usage,
    });
  } catch (error) {
    await flush().catch(() => {});
    if (error instanceof WorkerShutdownError) throw error;
    if (!isDomainError(error) && !input.isLastAttempt) throw error;
    if (!isDomainError(error)) log.error({ err: error }, 'chat reply failed');
    await endWithError(
      services,
      generation.id,
      assistantMessageId,
      isDomainError(error) ? error.code : 'INTERNAL',
      isDomainError(error) ? error.message : 'the reply could not be completed',
    );
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    input.signal?.removeEventListener('abort', onShutdown);
  }
}

async function loadContext(
  services: Services,
  input: { userId: string; conversationId: string; userMessageId: string },
) {
  const { db } = services;
  const conversation = await findConversation(db, input);
  if (!conversation) throw new Error('conversation vanished');
  // Newest first; the reply's own (streaming) message and later ones are not history.
  const recent = await listMessages(db, { conversationId: conversation.id, limit: 200 });
  const ordered = recent.reverse();
  const userIndex = ordered.findIndex((m) => m.id === input.userMessageId);
  const userMessage = ordered[userIndex]!;
  const since = conversation.summary ? await summarizedThrough(services, conversation.id) : null;
  const history = ordered
    .slice(0, userIndex)
    .filter((m) => m.content && (m.role === 'user' || m.status !== 'streaming'))
    .filter((m) => !since || m.createdAt > since)
    .map((m) => ({ role: m.role, content: m.content, createdAt: m.createdAt }));
  const fitted = fitHistory(history, { tokenBudget: HISTORY_TOKEN_BUDGET });
  let summary = conversation.summary;
  if (fitted.folded.length > 0) {
    summary = foldIntoSummary(summary, fitted.folded);
    const last = history[fitted.folded.length - 1]!;
    await updateConversationSummary(db, {
      conversationId: conversation.id,
      summary,
      summarizedThrough: last.createdAt,
    });
  }

  const goal = conversation.goalId
    ? await getGoalWithPlan(db, { userId: input.userId, goalId: conversation.goalId })
    : undefined;
  const tasks = (goal?.tasks ?? []).map(toChatTask);
  const scope = userMessage.scope;
  const scopedTasks = scope
    ? tasks.filter(
        (t) =>
          (scope.week ? t.week === scope.week : true) && (scope.day ? t.day === scope.day : true),
      )
    : tasks.filter((t) => !t.completed).slice(0, 20);
  const plan = goal?.plan?.plan as TPlan | undefined;
  const today = todayUtc();
  const messages = buildChatMessages({
    today,
    goal: goal ? { title: goal.title, status: goal.status } : null,
    planSummary: plan
      ? summarizePlan(
          plan,
          (goal?.tasks ?? []).map((t) => ({
            title: t.title,
            week: t.week ?? 0,
            day: t.day ?? 0,
            completed: t.completedAt !== null,
          })),
        )
      : null,
    scope,
    scopedTasks,
    summary,
    history: fitted.kept.map(({ role, content }) => ({ role, content })),
    userMessage: userMessage.content,
  });
  return {
    messages,
    today,
    question: userMessage.content,
    goalId: conversation.goalId,
    goal: goal ? { title: goal.title } : null,
    tasks,
    progress: goal ? { done: tasks.filter((t) => t.completed).length, total: tasks.length } : null,
  };
}

async function summarizedThrough(services: Services, conversationId: string): Promise<Date | null> {
  const row = await services.db
    .selectFrom('conversations')
    .select('summarized_through')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return row?.summarized_through ?? null;
}

async function finishReply(
  services: Services,
  input: {
    generationId: string;
    assistantMessageId: string;
    reason: ChatEndReason;
    usage: TUsage | null;
  },
) {
  await services.db.transaction().execute(async (trx) => {
    const finished = await finishGeneration(trx, {
      generationId: input.generationId,
      status: 'completed',
      ...(input.usage ? { usage: input.usage } : {}),
      provider: services.ai.provider,
      model: services.ai.mode === 'offline' ? 'offline' : services.ai.chatModel,
      offline: services.ai.mode === 'offline',
    });
    // Stopped meanwhile: chat.stop has stored the partial reply and ended the stream.
    if (!finished) return;
    const { content, parts } = replyFromEvents(
      await listStreamEvents(trx, { generationId: input.generationId, limit: 100_000 }),
    );
    await completeMessage(trx, {
      messageId: input.assistantMessageId,
      content,
      parts,
      status: 'complete',
    });
    const end: ChatStreamEvent = {
      type: 'end',
      messageId: input.assistantMessageId,
      reason: input.reason,
      usage: input.usage,
    };
    await appendStreamEvent(trx, { generationId: input.generationId, type: end.type, data: end });
  });
}

async function endWithError(
  services: Services,
  generationId: string,
  assistantMessageId: string,
  code: string,
  message: string,
) {
  await services.db.transaction().execute(async (trx) => {
    const finished = await finishGeneration(trx, {
      generationId,
      status: 'failed',
      errorCode: code,
      errorMessage: message,
    });
    if (!finished) return;
    const { content, parts } = replyFromEvents(
      await listStreamEvents(trx, { generationId, limit: 100_000 }),
    );
    await completeMessage(trx, { messageId: assistantMessageId, content, parts, status: 'error' });
    const error: ChatStreamEvent = { type: 'error', messageId: assistantMessageId, code, message };
    await appendStreamEvent(trx, { generationId, type: error.type, data: error });
  });
}
