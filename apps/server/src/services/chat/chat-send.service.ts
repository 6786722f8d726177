import { DomainError } from '@stepwise/core';
import {
  appendStreamEvent,
  completeMessage,
  type Database,
  findConversation,
  findGeneration,
  findSendByIdempotencyKey,
  finishGeneration,
  getGoalWithPlan,
  insertConversation,
  insertMessage,
  listStreamEvents,
  lockIdempotencyKey,
  removeJob,
  type Transaction,
  touchConversation,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { enqueueGeneration, generationJobKey } from '../plans/plan-generation.service.js';
import type { ChatStreamEvent } from './chat-events.js';
import { replyFromEvents } from './reply-from-events.js';

export const CHAT_REPLY_TASK = 'chat-reply';

export interface SendInput {
  userId: string;
  conversationId?: string | undefined;
  goalId?: string | undefined;
  scope?: { week?: number | undefined; day?: number | undefined } | undefined;
  content: string;
  idempotencyKey: string;
}

export interface SendResult {
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  generationId: string;
}

/**
 * Stores the user's message and starts the reply job, in one transaction. A retried send with
 * the same idempotency key returns the first send's ids and stores nothing, also when the two
 * requests race (they are serialised on the key).
 */
export async function sendMessage(
  services: Pick<AppServices, 'db'>,
  input: SendInput,
): Promise<SendResult> {
  return services.db.transaction().execute(async (trx) => {
    await lockIdempotencyKey(trx, input.userId, input.idempotencyKey);
    const previous = await findSendByIdempotencyKey(trx, {
      userId: input.userId,
      key: input.idempotencyKey,
    });
    if (previous) return previous;

    let conversation = input.conversationId
      ? await findConversation(trx, { userId: input.userId, conversationId: input.conversationId })
      : undefined;
    if (input.conversationId && !conversation)
      throw new DomainError('NOT_FOUND', 'conversation not found');
    if (conversation && input.goalId && conversation.goalId !== input.goalId) {
      throw new DomainError('BAD_REQUEST', 'the conversation is about another goal');
    }
    const goalId = conversation?.goalId ?? input.goalId ?? null;
    if (goalId && !conversation) {
      const goal = await getGoalWithPlan(trx, { userId: input.userId, goalId });
      if (!goal) throw new DomainError('NOT_FOUND', 'goal not found');
    }
    conversation ??= await insertConversation(trx, {
      userId: input.userId,
      goalId,
      title: input.content.slice(0, 80),
    });

    const scope = input.scope && (input.scope.week || input.scope.day) ? input.scope : null;
    return startReply(trx, {
      ownerId: input.userId,
      conversationId: conversation.id,
      goalId,
      kind: 'chat',
      task: CHAT_REPLY_TASK,
      content: input.content,
      scope: scope as { week?: number; day?: number } | null,
      idempotencyKey: input.idempotencyKey,
    });
  });
}

/**
 * In a conversation of `ownerId`: stores the user's message, the assistant's message to be
 * streamed, the reply's generation (`kind`) and its `start` event, and queues the reply job
 * (`task`). Chat replies and public visitor replies both start here. Run it in a transaction.
 */
export async function startReply(
  trx: Transaction<Database>,
  input: {
    ownerId: string;
    conversationId: string;
    goalId: string | null;
    kind: 'chat' | 'public_reply';
    task: string;
    content: string;
    scope?: { week?: number; day?: number } | null;
    idempotencyKey: string;
  },
): Promise<SendResult> {
  const userMessage = await insertMessage(trx, {
    conversationId: input.conversationId,
    userId: input.ownerId,
    role: 'user',
    content: input.content,
    status: 'complete',
    scope: input.scope ?? null,
    idempotencyKey: input.idempotencyKey,
  });
  const generation = await trx
    .insertInto('generations')
    .values({
      user_id: input.ownerId,
      goal_id: input.goalId,
      conversation_id: input.conversationId,
      kind: input.kind,
      input: JSON.stringify({ userMessageId: userMessage.id }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const assistantMessage = await insertMessage(trx, {
    conversationId: input.conversationId,
    userId: input.ownerId,
    role: 'assistant',
    content: '',
    status: 'streaming',
    idempotencyKey: `${input.idempotencyKey}:reply`,
    generationId: generation.id,
  });
  await trx
    .updateTable('generations')
    .set({
      input: JSON.stringify({
        userMessageId: userMessage.id,
        assistantMessageId: assistantMessage.id,
      }),
    })
    .where('id', '=', generation.id)
    .execute();
  await touchConversation(trx, input.conversationId);
  const start: ChatStreamEvent = {
    type: 'start',
    conversationId: input.conversationId,
    messageId: assistantMessage.id,
  };
  await appendStreamEvent(trx, { generationId: generation.id, type: start.type, data: start });
  await enqueueGeneration(trx, input.task, generation.id);
  return {
    conversationId: input.conversationId,
    userMessageId: userMessage.id,
    assistantMessageId: assistantMessage.id,
    generationId: generation.id,
  };
}

/**
 * Ends a reply now, keeping the text streamed so far: the reply ends with `end { reason:
 * 'stopped' }`; a running job notices and stores exactly the text of the deltas before it.
 */
export async function stopReply(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; generationId: string },
): Promise<{ stopped: boolean }> {
  const generation = await findGeneration(services.db, input);
  if (generation?.kind !== 'chat') throw new DomainError('NOT_FOUND', 'reply not found');
  const { assistantMessageId } = generation.input as { assistantMessageId: string };
  return services.db.transaction().execute(async (trx) => {
    const stopped = await finishGeneration(trx, {
      generationId: generation.id,
      status: 'cancelled',
      errorCode: 'CANCELLED',
      errorMessage: 'stopped by the user',
    });
    if (!stopped) return { stopped: false };
    const end: ChatStreamEvent = {
      type: 'end',
      messageId: assistantMessageId,
      reason: 'stopped',
      usage: null,
    };
    await appendStreamEvent(trx, { generationId: generation.id, type: end.type, data: end });
    // The partial text is what subscribers saw: every delta before the `end` just appended.
    const events = await listStreamEvents(trx, { generationId: generation.id, limit: 100_000 });
    const { content, parts } = replyFromEvents(events);
    await completeMessage(trx, {
      messageId: assistantMessageId,
      content,
      parts,
      status: 'stopped',
    });
    await removeJob(trx, generationJobKey(generation.id));
    return { stopped: true };
  });
}
