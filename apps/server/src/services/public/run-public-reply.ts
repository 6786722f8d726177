import {
  answerPublicOffline,
  buildPublicMessages,
  fitHistory,
  PUBLIC_TOOLS,
  type PublicAssistantContext,
  streamChatReply,
} from '@stepwise/ai';
import { DomainError } from '@stepwise/core';
import {
  addConversationTag,
  addWorkspaceUsage,
  findActiveConnector,
  findWorkspaceById,
  listMessages,
  listWorkspaceServices,
} from '@stepwise/db';
import type { ChatEndReason } from '../chat/chat-events.js';
import {
  createReplyPipeline,
  endReason,
  replyStreamCallbacks,
} from '../generations/create-reply-pipeline.js';
import type { GenerationServices } from '../generations/run-generation.js';
import { bookingLink } from '../workspaces/workspace.service.js';
import { assertWithinBudget, usageDay } from './public-chat.service.js';

/** Recent turns sent to the model as they are; a visitor chat rarely needs more. */
const HISTORY_TOKEN_BUDGET = 2_000;

/** The tag a hand-off puts on the conversation, so the owner can filter for it. */
export const HANDOFF_TAG = 'handoff';

/**
 * A reply to a workspace visitor: the workspace's tone, knowledge base, services and booking
 * link in the prompt; tools to list services, give the booking link and hand off to the
 * owner; the same events as `chat.stream`. Without an LLM the offline assistant answers from
 * the knowledge base and services. Tokens spent count against the workspace's daily budget.
 */
export const publicReplyPipeline = createReplyPipeline({
  kinds: ['public_reply'],
  run: async (ctx) => {
    const { services, generation, signal, emit } = ctx;
    const conversationId = generation.conversation_id;
    if (!conversationId) throw new DomainError('INTERNAL', 'the reply has no conversation');
    const context = await loadContext(services, conversationId, ctx.userMessageId);
    const handOff = async (reason: string) => {
      await addConversationTag(services.db, { conversationId, tag: HANDOFF_TAG });
      ctx.log.info({ conversationId, reason }, 'visitor handed off to the owner');
      return { handedOff: true, note: 'The owner will answer in this conversation.' };
    };

    let reason: ChatEndReason = 'complete';
    if (services.ai.mode === 'offline') {
      const answer = answerPublicOffline({
        workspace: context.workspace,
        question: context.question,
      });
      if (answer.handOff) {
        const id = 'offline-hand-off';
        emit({ type: 'tool_call', id, name: 'hand_off', args: answer.handOff, valid: true });
        emit({
          type: 'tool_result',
          id,
          name: 'hand_off',
          result: await handOff(answer.handOff.reason),
        });
      }
      for (const chunk of answer.chunks) emit({ type: 'delta', text: chunk });
      await ctx.finish({ reason, usage: null });
      await countUsage(services, context.workspaceId, 0);
      return;
    }
    // Replies queued before the budget ran out are checked again before the model is called.
    await assertWithinBudget(services, context.workspaceId);
    let reportedTokens = 0;
    let written = 0;
    const callbacks = replyStreamCallbacks(ctx);
    try {
      const reply = await streamChatReply({
        config: services.ai,
        messages: context.messages,
        tools: PUBLIC_TOOLS,
        maxToolRounds: PUBLIC_MAX_TOOL_ROUNDS,
        signal,
        ...callbacks,
        onDelta: (text) => {
          written += text.length;
          callbacks.onDelta(text);
        },
        executeTool: async (call) => {
          switch (call.name) {
            case 'list_services':
              return { services: context.workspace.services };
            case 'booking_link':
              return context.workspace.bookingLink
                ? { link: context.workspace.bookingLink }
                : { link: null, note: 'Online booking is not set up; offer a hand-off instead.' };
            case 'hand_off':
              return handOff(call.args.reason);
          }
        },
      });
      reason = endReason(reply.finishReason);
      reportedTokens = reply.usage.totalTokens;
      await ctx.finish({ reason, usage: reply.usage });
    } finally {
      // Counted however the reply ended (stopped, failed, a provider that reports no usage):
      // what the provider reported, or an estimate of ~4 characters per token.
      const estimate = Math.ceil(
        (context.promptChars * (1 + PUBLIC_MAX_TOOL_ROUNDS) + written) / 4,
      );
      await countUsage(services, context.workspaceId, reportedTokens || estimate);
    }
  },
});

/** Tool rounds before a public reply must answer in text (each round resends the prompt). */
const PUBLIC_MAX_TOOL_ROUNDS = 2;

function countUsage(services: GenerationServices, workspaceId: string, tokens: number) {
  return addWorkspaceUsage(services.db, { workspaceId, tokens, day: usageDay() });
}

async function loadContext(
  services: GenerationServices,
  conversationId: string,
  userMessageId: string,
) {
  const { db } = services;
  const conversation = await db
    .selectFrom('conversations')
    .select(['workspace_id'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  const workspace = conversation?.workspace_id
    ? await findWorkspaceById(db, conversation.workspace_id)
    : undefined;
  if (!workspace) throw new DomainError('INTERNAL', 'the conversation has no workspace');
  const [offered, connector, recent] = await Promise.all([
    listWorkspaceServices(db, { workspaceId: workspace.id, activeOnly: true }),
    findActiveConnector(db, workspace.id),
    listMessages(db, { conversationId, limit: 60 }),
  ]);
  const assistant: PublicAssistantContext = {
    businessName: workspace.profile.businessName,
    tagline: workspace.profile.tagline,
    bio: workspace.profile.bio,
    tone: workspace.tone,
    timezone: workspace.timezone,
    knowledgeBase: workspace.knowledgeBase,
    services: offered.map((s) => ({
      name: s.name,
      description: s.description,
      durationMinutes: s.durationMinutes,
      priceCents: s.priceCents,
      currency: s.currency,
    })),
    bookingLink: (connector && bookingLink(connector)) ?? null,
  };
  const ordered = recent.reverse();
  const userIndex = ordered.findIndex((m) => m.id === userMessageId);
  const question = ordered[userIndex]?.content ?? '';
  const history = ordered
    .slice(0, Math.max(0, userIndex))
    .filter((m) => m.content && (m.role === 'user' || m.status !== 'streaming'))
    .map((m) => ({ role: m.role, content: m.content, createdAt: m.createdAt }));
  const { kept } = fitHistory(history, { tokenBudget: HISTORY_TOKEN_BUDGET });
  const messages = buildPublicMessages({
    workspace: assistant,
    history: kept.map(({ role, content }) => ({ role, content })),
    userMessage: question,
    today: usageDay(),
  });
  return {
    workspaceId: workspace.id,
    workspace: assistant,
    question,
    messages,
    promptChars: messages.reduce((sum, m) => sum + String(m.content ?? '').length, 0),
  };
}
