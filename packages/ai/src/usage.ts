import type { TokenPrice } from './providers/provider-profiles.js';
import type { TUsage } from './usage.schema.js';

/** Usage as OpenAI-compatible APIs report it; `cost` is OpenRouter's own figure in USD. */
export interface ApiUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  cost?: number | null;
}

/** Zero tokens at a known cost (0) or an unknown one (`null`). */
export function emptyUsage(costUsd: number | null = 0): TUsage {
  return { promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd };
}

/**
 * Converts reported usage, preferring the provider's own cost and otherwise pricing the tokens;
 * `costUsd` is `null` when neither is available.
 */
export function toUsage(raw: ApiUsage | null | undefined, price: TokenPrice | undefined): TUsage {
  const promptTokens = raw?.prompt_tokens ?? 0;
  const completionTokens = raw?.completion_tokens ?? 0;
  const reportedCost = typeof raw?.cost === 'number' ? raw.cost : undefined;
  const pricedCost = price
    ? (promptTokens * price.input + completionTokens * price.output) / 1_000_000
    : undefined;
  return {
    promptTokens,
    completionTokens,
    totalTokens: raw?.total_tokens ?? promptTokens + completionTokens,
    costUsd: reportedCost ?? pricedCost ?? null,
  };
}

/** Sums two usages; the cost stays unknown (`null`) if either part is unknown. */
export function addUsage(a: TUsage, b: TUsage): TUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
  };
}
