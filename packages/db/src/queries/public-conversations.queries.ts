import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Channel, ConversationsTable, Database } from '../schema.js';
import { type MessageDto, toMessageDto } from './chat.queries.js';
import type { Db } from './stream-events.queries.js';

/**
 * Minutes an owner is taken to save per reply the assistant completes for a visitor: the
 * time to read the question and type the answer. An estimate, shown as such.
 */
export const MINUTES_SAVED_PER_REPLY = 3;

export interface PublicConversationDto {
  id: string;
  workspaceId: string;
  channel: Channel;
  title: string;
  tags: string[];
  messageCount: number;
  /** `MINUTES_SAVED_PER_REPLY` × the replies completed for the visitor. */
  timeSavedMinutes: number;
  lastMessageAt: Date | null;
  createdAt: Date;
}

/** A visitor's conversation, found by the hash of the visitor's token. */
export interface VisitorConversation {
  id: string;
  workspaceId: string;
  ownerId: string;
}

export async function insertPublicConversation(
  db: Db,
  input: {
    workspaceId: string;
    ownerId: string;
    channel: Channel;
    visitorTokenHash: string;
  },
): Promise<VisitorConversation> {
  const row = await db
    .insertInto('conversations')
    .values({
      user_id: input.ownerId,
      workspace_id: input.workspaceId,
      channel: input.channel,
      visitor_token_hash: input.visitorTokenHash,
      title: 'Visitor',
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return { id: row.id, workspaceId: input.workspaceId, ownerId: input.ownerId };
}

export async function findVisitorConversation(
  db: Db,
  tokenHash: string,
): Promise<VisitorConversation | undefined> {
  const row = await db
    .selectFrom('conversations')
    .select(['id', 'workspace_id', 'user_id'])
    .where('visitor_token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row?.workspace_id
    ? { id: row.id, workspaceId: row.workspace_id, ownerId: row.user_id }
    : undefined;
}

const conversationColumns = (db: Db) =>
  db.selectFrom('conversations as c').select([
    'c.id',
    'c.workspace_id',
    'c.channel',
    'c.title',
    'c.tags',
    'c.created_at',
    (eb) =>
      eb
        .selectFrom('messages as m')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('m.conversation_id', '=', 'c.id')
        .as('message_count'),
    (eb) =>
      eb
        .selectFrom('messages as m')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('m.conversation_id', '=', 'c.id')
        .where('m.role', '=', 'assistant')
        .where('m.status', '=', 'complete')
        .as('reply_count'),
    (eb) =>
      eb
        .selectFrom('messages as m')
        .select((e) => e.fn.max('m.created_at').as('at'))
        .whereRef('m.conversation_id', '=', 'c.id')
        .as('last_message_at'),
  ]);

const toPublicConversationDto = (row: {
  id: string;
  workspace_id: string | null;
  channel: Channel | null;
  title: string;
  tags: string[];
  created_at: Date;
  message_count: string | null;
  reply_count: string | null;
  last_message_at: Date | null;
}): PublicConversationDto => ({
  id: row.id,
  workspaceId: row.workspace_id!,
  channel: row.channel!,
  title: row.title,
  tags: row.tags,
  messageCount: Number(row.message_count ?? 0),
  timeSavedMinutes: Number(row.reply_count ?? 0) * MINUTES_SAVED_PER_REPLY,
  lastMessageAt: row.last_message_at,
  createdAt: row.created_at,
});

export interface WorkspaceConversationFilters {
  channel?: Channel | undefined;
  /** Conversations with any of these tags. */
  tags?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The conditions a list or sum of a workspace's conversations (`c`) filters on. */
const matching =
  (input: WorkspaceConversationFilters & { workspaceId: string }) =>
  (eb: ExpressionBuilder<Database & { c: ConversationsTable }, 'c'>) => {
    const conditions: Expression<SqlBool>[] = [eb('c.workspace_id', '=', input.workspaceId)];
    if (input.channel !== undefined) conditions.push(eb('c.channel', '=', input.channel));
    if (input.tags?.length) conditions.push(sql<boolean>`c.tags && ${sql.val(input.tags)}::text[]`);
    if (input.from !== undefined) conditions.push(eb('c.created_at', '>=', input.from));
    if (input.to !== undefined) conditions.push(eb('c.created_at', '<', input.to));
    return eb.and(conditions);
  };

/** A workspace's visitor conversations, newest first, keyset-paged on (created_at, id). */
export async function listWorkspaceConversations(
  db: Db,
  input: WorkspaceConversationFilters & {
    workspaceId: string;
    /** The last conversation of the previous page (compared in SQL, to the microsecond). */
    beforeId?: string | undefined;
    limit: number;
  },
): Promise<PublicConversationDto[]> {
  const rows = await conversationColumns(db)
    .where(matching(input))
    .$if(input.beforeId !== undefined, (q) =>
      q.where(
        sql<boolean>`(c.created_at, c.id) < (SELECT created_at, id FROM conversations
          WHERE id = ${input.beforeId} AND workspace_id = ${input.workspaceId})`,
      ),
    )
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.map(toPublicConversationDto);
}

export async function findWorkspaceConversation(
  db: Db,
  input: { workspaceId: string; conversationId: string },
): Promise<PublicConversationDto | undefined> {
  const row = await conversationColumns(db)
    .where('c.workspace_id', '=', input.workspaceId)
    .where('c.id', '=', input.conversationId)
    .executeTakeFirst();
  return row && toPublicConversationDto(row);
}

/** Minutes saved over all of a workspace's conversations matching the filters. */
export async function sumTimeSaved(
  db: Db,
  input: WorkspaceConversationFilters & { workspaceId: string },
): Promise<{ conversations: number; replies: number; timeSavedMinutes: number }> {
  const row = await db
    .selectFrom('conversations as c')
    .leftJoin('messages as m', (join) =>
      join
        .onRef('m.conversation_id', '=', 'c.id')
        .on('m.role', '=', 'assistant')
        .on('m.status', '=', 'complete'),
    )
    .select((eb) => [
      eb.fn.count<string>(sql`DISTINCT c.id`).as('conversations'),
      eb.fn.count<string>('m.id').as('replies'),
    ])
    .where(matching(input))
    .executeTakeFirstOrThrow();
  const replies = Number(row.replies);
  return {
    conversations: Number(row.conversations),
    replies,
    timeSavedMinutes: replies * MINUTES_SAVED_PER_REPLY,
  };
}

export async function setConversationTags(
  db: Db,
  input: { workspaceId: string; conversationId: string; tags: string[] },
): Promise<boolean> {
  const result = await db
    .updateTable('conversations')
    .set({ tags: input.tags })
    .where('id', '=', input.conversationId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Adds `tag` to a conversation's tags (once). */
export async function addConversationTag(
  db: Db,
  input: { conversationId: string; tag: string },
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ tags: sql`array(SELECT DISTINCT unnest(tags || ${[input.tag]}::text[]))` })
    .where('id', '=', input.conversationId)
    .execute();
}

/**
 * A conversation's messages in order, after the message `afterId` (compared in SQL on
 * (created_at, id): timestamps keep their microseconds): what a visitor polls with
 * `public.messages({ since })` and what the owner reads.
 */
export async function listMessagesAfter(
  db: Db,
  input: { conversationId: string; afterId?: string | undefined; limit: number },
): Promise<MessageDto[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', input.conversationId)
    .$if(input.afterId !== undefined, (q) =>
      q.where(
        sql<boolean>`(created_at, id) > (SELECT created_at, id FROM messages AS since
          WHERE since.id = ${input.afterId} AND since.conversation_id = ${input.conversationId})`,
      ),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map(toMessageDto);
}

/**
 * The latest `limit` messages of a conversation before the message `beforeId` (all when
 * absent), oldest first: what the owner reads, paging back from the newest.
 */
export async function listLatestMessages(
  db: Db,
  input: { conversationId: string; beforeId?: string | undefined; limit: number },
): Promise<MessageDto[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', input.conversationId)
    .$if(input.beforeId !== undefined, (q) =>
      q.where(
        sql<boolean>`(created_at, id) < (SELECT created_at, id FROM messages AS before
          WHERE before.id = ${input.beforeId} AND before.conversation_id = ${input.conversationId})`,
      ),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows.reverse().map(toMessageDto);
}

/** An owner's own answer in a visitor conversation. */
export async function insertOwnerReply(
  db: Db,
  input: { conversationId: string; ownerId: string; content: string },
): Promise<MessageDto> {
  const row = await db
    .insertInto('messages')
    .values({
      conversation_id: input.conversationId,
      user_id: input.ownerId,
      role: 'assistant',
      content: input.content,
      parts: JSON.stringify([{ type: 'owner' }]),
      status: 'complete',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMessageDto(row);
}

/**
 * Counts tokens spent on a workspace's public replies today (UTC); returns the day's total.
 */
export async function addWorkspaceUsage(
  db: Db,
  input: { workspaceId: string; tokens: number; day: string },
): Promise<number> {
  const row = await db
    .insertInto('workspace_usage')
    .values({ workspace_id: input.workspaceId, day: input.day, tokens: input.tokens, replies: 1 })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'day']).doUpdateSet({
        tokens: sql`workspace_usage.tokens + excluded.tokens`,
        replies: sql`workspace_usage.replies + 1`,
      }),
    )
    .returning('tokens')
    .executeTakeFirstOrThrow();
  return row.tokens;
}

export async function workspaceUsageOn(
  db: Db,
  input: { workspaceId: string; day: string },
): Promise<{ tokens: number; replies: number }> {
  const row = await db
    .selectFrom('workspace_usage')
    .select(['tokens', 'replies'])
    .where('workspace_id', '=', input.workspaceId)
    .where('day', '=', input.day)
    .executeTakeFirst();
  return row ?? { tokens: 0, replies: 0 };
}
