import type { TUsage } from '@stepwise/ai/schema';

/** Why a reply ended. */
export type ChatEndReason = 'complete' | 'stopped' | 'length' | 'tool_rounds_exhausted';

/** What `chat.stream` yields as `data`, discriminated by `type`. */
export type ChatStreamEvent =
  | { type: 'start'; conversationId: string; messageId: string }
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; id: string; name: string; args: unknown; valid: boolean }
  | { type: 'tool_result'; id: string; name: string; result?: unknown; error?: string }
  | { type: 'plan_updated'; goalId: string; version: number; generationId: string; diff: unknown }
  | { type: 'end'; messageId: string; reason: ChatEndReason; usage: TUsage | null }
  | { type: 'error'; messageId: string; code: string; message: string };

/** `chat.stream` ends after one of these. */
export const CHAT_TERMINAL_TYPES = ['end', 'error'] as const;
