import { DomainError } from '@stepwise/core';
import {
  detectProvider,
  PROVIDER_NAMES,
  PROVIDER_PROFILES,
  type ProviderName,
  type ProviderProfile,
  type TokenPrice,
} from './provider-profiles.js';

/** Settings a deployment may give; everything is optional. */
export interface AiConfigInput {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  /** A provider name; detected from `baseUrl` when omitted. */
  provider?: string | undefined;
  planModel?: string | undefined;
  chatModel?: string | undefined;
  /** Time to the response headers of one request (the openai SDK `timeout`). */
  requestTimeoutMs?: number | undefined;
  /** Longest silence allowed between two streamed chunks. */
  idleTimeoutMs?: number | undefined;
  /** Overall budget of one generation, retries included. */
  deadlineMs?: number | undefined;
  maxTokens?: number | undefined;
  /** Retries after 5xx, 429 and dropped connections (per generation). */
  maxRetries?: number | undefined;
  /** First backoff delay; doubled on each retry, of which a random half to all is waited. */
  retryBaseDelayMs?: number | undefined;
  /** Longest wait honoured for a `retry-after` (or backoff); longer waits fail at once. */
  maxRetryDelayMs?: number | undefined;
  /** Price of every model of this deployment; overrides the profile's known prices. */
  price?: TokenPrice | undefined;
}

/** A resolved configuration; `mode: 'offline'` means no LLM is used at all. */
export interface AiConfig {
  mode: 'online' | 'offline';
  provider: ProviderName;
  profile: ProviderProfile;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  planModel: string;
  chatModel: string;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  deadlineMs: number;
  maxTokens: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  price: TokenPrice | undefined;
}

function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

/**
 * Fills in defaults and picks the provider profile. Without an API key and a base URL the
 * configuration is `offline` and the heuristic planner is used instead of an LLM.
 *
 * @example
 * resolveAiConfig({ apiKey: 'sk-…', baseUrl: 'https://openrouter.ai/api/v1' }).provider; // 'openrouter'
 * resolveAiConfig({}).mode; // 'offline'
 */
export function resolveAiConfig(input: AiConfigInput = {}): AiConfig {
  const apiKey = input.apiKey || undefined;
  const explicitProvider = input.provider?.trim().toLowerCase() || undefined;
  if (explicitProvider !== undefined && !isProviderName(explicitProvider)) {
    throw new DomainError('BAD_REQUEST', `unknown AI provider "${input.provider}"`, {
      details: { provider: input.provider, known: PROVIDER_NAMES },
    });
  }
  const provider = explicitProvider ?? detectProvider(input.baseUrl || undefined);
  const profile = PROVIDER_PROFILES[provider];
  const baseUrl = input.baseUrl || (apiKey ? profile.defaultBaseUrl : undefined);
  const planModel = input.planModel || profile.defaultModel;
  return {
    mode: apiKey || input.baseUrl ? 'online' : 'offline',
    provider,
    profile,
    apiKey,
    baseUrl,
    planModel,
    chatModel: input.chatModel || planModel,
    requestTimeoutMs: input.requestTimeoutMs ?? 60_000,
    idleTimeoutMs: input.idleTimeoutMs ?? 30_000,
    deadlineMs: input.deadlineMs ?? 180_000,
    maxTokens: input.maxTokens ?? 16_000,
    maxRetries: input.maxRetries ?? 2,
    retryBaseDelayMs: input.retryBaseDelayMs ?? 500,
    maxRetryDelayMs: input.maxRetryDelayMs ?? 20_000,
    price: input.price,
  };
}
