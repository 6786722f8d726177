import { sql } from 'kysely';
import type { MessageRole, MessageStatus } from '../schema.js';
import type { Db } from './stream-events.queries.js';

export interface ConversationDto {
  id: string;
  goalId: string | null;
  title: string;
  summary: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageDto {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  parts: unknown[];
  scope: { week?: number; day?: number } | null;
  status: MessageStatus;
  generationId: string | null;
  createdAt: Date;
}

const toConversationDto = (row: {
  id: string;
  goal_id: string | null;
  title: string;
  summary: string;
  created_at: Date;
  updated_at: Date;
}): ConversationDto => ({
  id: row.id,
  goalId: row.goal_id,
  title: row.title,
  summary: row.summary,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toMessageDto = (row: {
  id: string;
  conversation_id: string;
  role: MessageRole;
  content: string;
  parts: unknown[];
  scope: { week?: number; day?: number } | null;
  status: MessageStatus;
  generation_id: string | null;
  created_at: Date;
}): MessageDto => ({
  id: row.id,
  conversationId: row.conversation_id,
  role: row.role,
  content: row.content,
  parts: row.parts,
  scope: row.scope,
  status: row.status,
  generationId: row.generation_id,
  createdAt: row.created_at,
});

export async function findConversation(
  db: Db,
  input: { userId: string; conversationId: string },
): Promise<ConversationDto | undefined> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', input.conversationId)
    .where('user_id', '=', input.userId)
    // The owner's own assistant chats; workspace visitor conversations have their own queries.
    .where('workspace_id', 'is', null)
    .executeTakeFirst();
  return row && toConversationDto(row);
}

export async function insertConversation(
  db: Db,
  input: { userId: string; goalId: string | null; title: string },
): Promise<ConversationDto> {
  const row = await db
    .insertInto('conversations')
    .values({ user_id: input.userId, goal_id: input.goalId, title: input.title })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConversationDto(row);
}

/** Serialises requests that carry the same idempotency key, until the transaction ends. */
export async function lockIdempotencyKey(trx: Db, userId: string, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${userId}:${key}`}, 1))`.execute(trx);
}

/** The send a previous request with this key made: its user message and the reply to it. */
export async function findSendByIdempotencyKey(
  db: Db,
  input: { userId: string; key: string },
): Promise<
  | {
      conversationId: string;
      userMessageId: string;
      assistantMessageId: string;
      generationId: string;
    }
  | undefined
> {
  const row = await db
    .selectFrom('messages as u')
    .innerJoin('messages as a', (join) =>
      join
        .onRef('a.conversation_id', '=', 'u.conversation_id')
        .on('a.role', '=', 'assistant')
        .onRef('a.idempotency_key', '=', sql`u.idempotency_key || ':reply'`),
    )
    .select(['u.conversation_id', 'u.id as user_id', 'a.id as assistant_id', 'a.generation_id'])
    .where('u.user_id', '=', input.userId)
    .where('u.role', '=', 'user')
    .where('u.idempotency_key', '=', input.key)
    .executeTakeFirst();
  if (!row?.generation_id) return undefined;
  return {
    conversationId: row.conversation_id,
    userMessageId: row.user_id,
    assistantMessageId: row.assistant_id,
    generationId: row.generation_id,
  };
}

export async function insertMessage(
  db: Db,
  input: {
    conversationId: string;
    userId: string;
    role: MessageRole;
    content: string;
    status: MessageStatus;
    scope?: { week?: number; day?: number } | null;
    idempotencyKey?: string | null;
    generationId?: string | null;
  },
): Promise<MessageDto> {
  const row = await db
    .insertInto('messages')
    .values({
      conversation_id: input.conversationId,
      user_id: input.userId,
      role: input.role,
      content: input.content,
      status: input.status,
      scope: input.scope ? JSON.stringify(input.scope) : null,
      idempotency_key: input.idempotencyKey ?? null,
      generation_id: input.generationId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMessageDto(row);
}

/** Stores a reply's final text and parts; only a reply still streaming changes. */
export async function completeMessage(
  db: Db,
  input: {
    messageId: string;
    content: string;
    parts: unknown[];
    status: Exclude<MessageStatus, 'streaming'>;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ content: input.content, parts: JSON.stringify(input.parts), status: input.status })
    .where('id', '=', input.messageId)
    .where('status', '=', 'streaming')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Messages of a conversation, newest first, before a keyset cursor (created_at, id). */
export async function listMessages(
  db: Db,
  input: {
    conversationId: string;
    before?: { createdAt: Date; id: string } | undefined;
    limit: number;
  },
): Promise<MessageDto[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', input.conversationId)
    .$if(input.before !== undefined, (q) =>
      q.where((eb) =>
        eb(
          eb.refTuple('created_at', 'id'),
          '<',
          eb.tuple(input.before!.createdAt, input.before!.id),
        ),
      ),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.map(toMessageDto);
}

export async function listConversations(
  db: Db,
  input: {
    userId: string;
    goalId?: string | undefined;
    before?: { updatedAt: Date; id: string } | undefined;
    limit: number;
  },
): Promise<ConversationDto[]> {
  const rows = await db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', input.userId)
    .where('workspace_id', 'is', null)
    .$if(input.goalId !== undefined, (q) => q.where('goal_id', '=', input.goalId!))
    .$if(input.before !== undefined, (q) =>
      q.where((eb) =>
        eb(
          eb.refTuple('updated_at', 'id'),
          '<',
          eb.tuple(input.before!.updatedAt, input.before!.id),
        ),
      ),
    )
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.map(toConversationDto);
}

export async function deleteConversations(
  db: Db,
  input: { userId: string; conversationId?: string; goalId?: string | null },
): Promise<number> {
  const result = await db
    .deleteFrom('conversations')
    .where('user_id', '=', input.userId)
    .where('workspace_id', 'is', null)
    .$if(input.conversationId !== undefined, (q) => q.where('id', '=', input.conversationId!))
    .$if(input.goalId !== undefined, (q) =>
      input.goalId === null
        ? q.where('goal_id', 'is', null)
        : q.where('goal_id', '=', input.goalId!),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function updateConversationSummary(
  db: Db,
  input: { conversationId: string; summary: string; summarizedThrough: Date },
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ summary: input.summary, summarized_through: input.summarizedThrough })
    .where('id', '=', input.conversationId)
    .execute();
}

/** Touches the conversation so lists ordered by activity put it first. */
export async function touchConversation(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ updated_at: sql`now()` })
    .where('id', '=', conversationId)
    .execute();
}
