import { DomainError } from '@stepwise/core';
import {
  type ConversationDto,
  deleteConversations,
  findConversation,
  getGoalWithPlan,
  listConversations,
  listMessages,
  type MessageDto,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const encode = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

function decode(cursor: string | null | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new DomainError('BAD_REQUEST', 'invalid cursor');
  }
}

/** A conversation's messages, newest first; pass `nextCursor` back for older ones. */
export async function getHistory(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; conversationId: string; cursor?: string | null; limit: number },
): Promise<Page<MessageDto> & { conversation: ConversationDto }> {
  const conversation = await findConversation(services.db, input);
  if (!conversation) throw new DomainError('NOT_FOUND', 'conversation not found');
  const before = decode(input.cursor);
  const items = await listMessages(services.db, {
    conversationId: conversation.id,
    before: before && { createdAt: before.at, id: before.id },
    limit: input.limit + 1,
  });
  const page = items.slice(0, input.limit);
  const last = page.at(-1);
  return {
    conversation,
    items: page,
    nextCursor: items.length > input.limit && last ? encode(last.createdAt, last.id) : null,
  };
}

/** The caller's conversations, most recently active first, optionally about one goal. */
export async function getConversations(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; goalId?: string | undefined; cursor?: string | null; limit: number },
): Promise<Page<ConversationDto>> {
  if (
    input.goalId &&
    !(await getGoalWithPlan(services.db, { userId: input.userId, goalId: input.goalId }))
  ) {
    throw new DomainError('NOT_FOUND', 'goal not found');
  }
  const before = decode(input.cursor);
  const items = await listConversations(services.db, {
    userId: input.userId,
    goalId: input.goalId,
    before: before && { updatedAt: before.at, id: before.id },
    limit: input.limit + 1,
  });
  const page = items.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor: items.length > input.limit && last ? encode(last.updatedAt, last.id) : null,
  };
}

export async function deleteConversation(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; conversationId: string },
): Promise<{ conversationId: string }> {
  const deleted = await deleteConversations(services.db, input);
  if (deleted === 0) throw new DomainError('NOT_FOUND', 'conversation not found');
  return { conversationId: input.conversationId };
}

/**
 * Starts over: forgets the conversations (and so the memory) about a goal, or, without a
 * goal, the caller's general conversations. The plan and tasks stay.
 */
export async function resetConversations(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; goalId?: string | undefined },
): Promise<{ deleted: number }> {
  if (
    input.goalId &&
    !(await getGoalWithPlan(services.db, { userId: input.userId, goalId: input.goalId }))
  ) {
    throw new DomainError('NOT_FOUND', 'goal not found');
  }
  return {
    deleted: await deleteConversations(services.db, {
      userId: input.userId,
      goalId: input.goalId ?? null,
    }),
  };
}
