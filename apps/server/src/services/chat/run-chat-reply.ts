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
import { DomainError } from '@stepwise/core';
import {
  findConversation,
  getGoalWithPlan,
  listMessages,
  type TaskDto,
  updateConversationSummary,
} from '@stepwise/db';
import {
  createReplyPipeline,
  endReason,
  replyStreamCallbacks,
} from '../generations/create-reply-pipeline.js';
import {
  type GenerationServices,
  type RunGenerationInput,
  runGeneration,
} from '../generations/run-generation.js';
import { userToday } from '../tasks/local-date.js';
import { executeChatTool } from './chat-tools.js';

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
 * running summary), streams the model's answer as `delta` events, runs tool calls on the
 * caller's data, then stores the reply exactly as it was streamed, with `end { usage }`, or
 * `error`. Without an LLM the offline assistant answers. Attempts, heartbeat, `chat.stop`,
 * ordered writes and the failure path are the harness's (`runGeneration`).
 */
export const chatReplyPipeline = createReplyPipeline({
  kinds: ['chat'],
  run: async (ctx) => {
    const { services, generation, signal, emit, flush } = ctx;
    if (!generation.conversation_id) {
      throw new DomainError('INTERNAL', 'the reply has no conversation');
    }
    const userId = generation.user_id;
    const context = await loadContext(services, {
      userId,
      conversationId: generation.conversation_id,
      userMessageId: ctx.userMessageId,
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
        signal,
        ...replyStreamCallbacks(ctx),
        executeTool: (call) =>
          executeChatTool(
            services,
            {
              userId,
              goalId: context.goalId,
              signal,
              emit: async (event) => {
                emit(event);
                await flush();
              },
            },
            call,
          ),
      });
    }
    await ctx.finish({ reason: endReason(reply.finishReason), usage: reply.usage });
  },
});

/** Runs one attempt of a chat reply job; see `chatReplyPipeline`. */
export function runChatReply(services: GenerationServices, input: RunGenerationInput) {
  return runGeneration(services, input, chatReplyPipeline);
}

async function loadContext(
  services: GenerationServices,
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
  const today = await userToday(db, input.userId);
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

async function summarizedThrough(
  services: GenerationServices,
  conversationId: string,
): Promise<Date | null> {
  const row = await services.db
    .selectFrom('conversations')
    .select('summarized_through')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return row?.summarized_through ?? null;
}
