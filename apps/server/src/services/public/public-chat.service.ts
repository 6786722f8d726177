import { DomainError } from '@stepwise/core';
import {
  type Channel,
  findSendByIdempotencyKey,
  findWorkspaceByHandle,
  findWorkspaceById,
  insertPublicConversation,
  listMessagesAfter,
  lockIdempotencyKey,
  type MessageDto,
  type VisitorConversation,
  workspaceUsageOn,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { type SendResult, startReply } from '../chat/chat-send.service.js';
import { newVisitorToken } from './visitor-token.js';

export const PUBLIC_REPLY_TASK = 'public-reply';

/** Today's calendar date in UTC: the day a workspace's token budget counts. */
export const usageDay = (now = new Date()) => now.toISOString().slice(0, 10);

/**
 * Opens a visitor conversation with the workspace at `handle`, counted against the caller's
 * IP first (so handles cannot be probed without limit). NOT_FOUND unless the workspace is
 * published (its owner completed the setup). The token opens this conversation and nothing
 * else; only its hash is stored.
 */
export async function startPublicConversation(
  services: Pick<AppServices, 'db' | 'publicLimiter'>,
  input: { handle: string; channel: Channel; ip: string },
) {
  await services.publicLimiter.consumeIp(input.ip);
  const workspace = await findWorkspaceByHandle(services.db, input.handle);
  if (!workspace?.profile.setupCompleted) {
    throw new DomainError('NOT_FOUND', 'no assistant is published at this handle');
  }
  const { token, hash } = newVisitorToken();
  const conversation = await insertPublicConversation(services.db, {
    workspaceId: workspace.id,
    ownerId: workspace.ownerId,
    channel: input.channel,
    visitorTokenHash: hash,
  });
  return {
    conversationId: conversation.id,
    visitorToken: token,
    assistant: {
      handle: workspace.handle,
      businessName: workspace.profile.businessName,
      tagline: workspace.profile.tagline,
    },
  };
}

/** Refuses a send (or a queued reply) once the workspace has spent its day's token budget. */
export async function assertWithinBudget(services: Pick<AppServices, 'db'>, workspaceId: string) {
  const workspace = await findWorkspaceById(services.db, workspaceId);
  if (!workspace) throw new DomainError('NOT_FOUND', 'no assistant at this handle');
  const usage = await workspaceUsageOn(services.db, { workspaceId, day: usageDay() });
  if (usage.tokens >= workspace.dailyTokenBudget) {
    throw new DomainError(
      'BUDGET_EXHAUSTED',
      "this assistant has used today's budget; it answers again tomorrow (UTC)",
      { details: { tokensToday: usage.tokens, dailyTokenBudget: workspace.dailyTokenBudget } },
    );
  }
}

/**
 * A visitor's message: stored with its reply started as a durable job, in one transaction. A
 * retry with the same idempotency key returns the first send's ids without counting against a
 * limit; otherwise the IP and conversation rates and the workspace's budget are checked first,
 * so a refused message stores nothing.
 */
export async function sendPublicMessage(
  services: Pick<AppServices, 'db' | 'publicLimiter'>,
  input: { visitor: VisitorConversation; content: string; idempotencyKey: string; ip: string },
): Promise<SendResult> {
  const { visitor } = input;
  // Visitors' keys live beside the owner's own: scope them to the conversation.
  const key = `public:${visitor.id}:${input.idempotencyKey}`;
  const previous = await findSendByIdempotencyKey(services.db, { userId: visitor.ownerId, key });
  if (previous) return previous;
  await services.publicLimiter.consumeIp(input.ip);
  await services.publicLimiter.consumeConversation(visitor.id);
  await assertWithinBudget(services, visitor.workspaceId);
  return services.db.transaction().execute(async (trx) => {
    await lockIdempotencyKey(trx, visitor.ownerId, key);
    const raced = await findSendByIdempotencyKey(trx, { userId: visitor.ownerId, key });
    if (raced) return raced;
    return startReply(trx, {
      ownerId: visitor.ownerId,
      conversationId: visitor.id,
      goalId: null,
      kind: 'public_reply',
      task: PUBLIC_REPLY_TASK,
      content: input.content,
      idempotencyKey: key,
    });
  });
}

/** The visitor's conversation, oldest first, after the message `since` (its id). */
export async function publicMessages(
  services: Pick<AppServices, 'db'>,
  input: { visitor: VisitorConversation; since?: string | undefined; limit: number },
): Promise<{ items: MessageDto[] }> {
  if (input.since) {
    const since = await services.db
      .selectFrom('messages')
      .select('id')
      .where('id', '=', input.since)
      .where('conversation_id', '=', input.visitor.id)
      .executeTakeFirst();
    if (!since) throw new DomainError('NOT_FOUND', 'message not found in this conversation');
  }
  const items = await listMessagesAfter(services.db, {
    conversationId: input.visitor.id,
    afterId: input.since,
    limit: input.limit,
  });
  return { items };
}
