import type { ChatTurn } from './chat.prompt.js';

/** Per-message overhead of the chat format (role, separators), in tokens. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * A tokenizer-free estimate of what a message costs: `ceil(chars / 4) + 4`. Four characters
 * per token is the usual rule of thumb for English with OpenAI-style BPE tokenizers; it
 * overestimates code and underestimates CJK text, so keep a margin in the budget.
 */
export function estimateTokens(turn: ChatTurn): number {
  return Math.ceil(turn.content.length / 4) + MESSAGE_OVERHEAD_TOKENS;
}

export interface FittedHistory {
  /** The most recent turns that fit the budget, oldest first; never starts with an assistant turn. */
  kept: ChatTurn[];
  /** The older turns left out, oldest first: fold them into the running summary. */
  folded: ChatTurn[];
}

/**
 * Keeps the most recent turns whose estimated tokens (see `estimateTokens`) add up to at most
 * `tokenBudget`, and returns the older ones as `folded`. The kept part is a contiguous suffix
 * that starts with a user turn (an assistant turn whose question was folded goes with it), as
 * some chat templates require. A single turn larger than the budget is folded.
 *
 * @example
 * const { kept, folded } = fitHistory(turns, { tokenBudget: 3000 });
 * const summary = foldIntoSummary(stored.summary, folded);
 */
export function fitHistory(
  history: readonly ChatTurn[],
  options: { tokenBudget: number },
): FittedHistory {
  let start = history.length;
  let used = 0;
  while (start > 0) {
    const cost = estimateTokens(history[start - 1]!);
    if (used + cost > options.tokenBudget) break;
    used += cost;
    start--;
  }
  while (start < history.length && history[start]?.role === 'assistant') start++;
  return { kept: history.slice(start), folded: history.slice(0, start) };
}

export interface FoldOptions {
  /** Upper bound of the returned summary's length (default 2,000 characters). */
  maxChars?: number | undefined;
}

const DEFAULT_SUMMARY_CHARS = 2000;
/** User turns carry the facts (constraints, wishes), so they keep more text than replies. */
const LINE_CHARS = { user: 240, assistant: 160 } as const;

function firstSentences(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const sentenceEnd = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
  if (sentenceEnd >= max / 2) return cut.slice(0, sentenceEnd + 1);
  return `${cut.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Adds folded turns to the running summary of a conversation, without an LLM call: the
 * summary is extractive, one line per turn (`User: …` / `Assistant: …`) holding the turn's
 * first sentences (at most 240 characters of a user turn, 160 of a reply). When the result
 * would exceed `maxChars`, the oldest lines are dropped, so the summary is bounded and keeps
 * the most recent context. Deterministic: the same inputs give the same summary.
 *
 * @example
 * foldIntoSummary('', [{ role: 'user', content: 'I have a bad knee.' }, { role: 'assistant', content: 'Noted.' }]);
 * // 'User: I have a bad knee.\nAssistant: Noted.'
 */
export function foldIntoSummary(
  previousSummary: string,
  folded: readonly ChatTurn[],
  options: FoldOptions = {},
): string {
  const maxChars = Math.max(1, options.maxChars ?? DEFAULT_SUMMARY_CHARS);
  const lines = previousSummary
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  for (const turn of folded) {
    const text = firstSentences(turn.content, LINE_CHARS[turn.role]);
    if (text) lines.push(`${turn.role === 'user' ? 'User' : 'Assistant'}: ${text}`);
  }
  let length = lines.reduce((sum, line) => sum + line.length, 0) + Math.max(0, lines.length - 1);
  while (lines.length > 1 && length > maxChars) {
    length -= lines.shift()!.length + 1;
  }
  const summary = lines.join('\n');
  return summary.length <= maxChars ? summary : `${summary.slice(0, maxChars - 1)}…`;
}
