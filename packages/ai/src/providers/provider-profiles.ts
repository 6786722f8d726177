/** The OpenAI-compatible providers Stepwise knows the quirks of. */
export const PROVIDER_NAMES = [
  'openai',
  'openrouter',
  'groq',
  'minimax',
  'ollama',
  'vllm',
  'litellm',
  'generic',
] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** How the plan JSON is requested: schema-constrained, JSON mode, or only by the prompt. */
export type StructuredOutputMode = 'json_schema' | 'json_object' | 'prompted';

/** USD per one million tokens. */
export interface TokenPrice {
  input: number;
  output: number;
}

/**
 * What an OpenAI-compatible provider accepts. The plan pipeline tries `structuredOutputs` in
 * order and moves to the next mode when the provider rejects one, so a profile that is too
 * optimistic costs one rejected request, not a failure.
 */
export interface ProviderProfile {
  name: ProviderName;
  /** Base URL used when only an API key is configured. */
  defaultBaseUrl: string | undefined;
  /** Model used when no plan/chat model is configured. */
  defaultModel: string;
  structuredOutputs: readonly StructuredOutputMode[];
  /** Whether `tool_choice` is honoured (otherwise tools are offered and the model decides). */
  toolChoice: boolean;
  /** Whether `stream_options: { include_usage: true }` is accepted and reports usage. */
  streamUsage: boolean;
  /** The body field that caps output tokens. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Provider-specific fields merged into every request body. */
  extraBody: Readonly<Record<string, unknown>>;
  /** Known prices by model name, for cost when the provider does not report it. */
  prices: Readonly<Record<string, TokenPrice>>;
}

const ALL_MODES = ['json_schema', 'json_object', 'prompted'] as const;

/** Capability profile of every known provider. */
export const PROVIDER_PROFILES: Readonly<Record<ProviderName, ProviderProfile>> = {
  openai: {
    name: 'openai',
    defaultBaseUrl: 'https://api.openai.com/v1',
    defaultModel: 'gpt-4o-mini',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    streamUsage: true,
    maxTokensField: 'max_completion_tokens',
    extraBody: {},
    prices: {
      'gpt-4o-mini': { input: 0.15, output: 0.6 },
      'gpt-4o': { input: 2.5, output: 10 },
      'gpt-4.1-mini': { input: 0.4, output: 1.6 },
      'gpt-4.1': { input: 2, output: 8 },
    },
  },
  openrouter: {
    name: 'openrouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    defaultModel: 'openai/gpt-4o-mini',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    // Route only to upstreams that honour every parameter we send (response_format, tools).
    extraBody: { provider: { require_parameters: true } },
    prices: {},
  },
  groq: {
    name: 'groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    defaultModel: 'llama-3.3-70b-versatile',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    // Groq reports stream usage in `x_groq.usage` of the last chunk instead.
    streamUsage: false,
    maxTokensField: 'max_tokens',
    extraBody: {},
    prices: {},
  },
  minimax: {
    name: 'minimax',
    defaultBaseUrl: 'https://api.minimax.io/v1',
    defaultModel: 'MiniMax-M2',
    // response_format is not documented for the M series; the prompt carries the schema.
    structuredOutputs: ['prompted'],
    toolChoice: false,
    streamUsage: true,
    maxTokensField: 'max_completion_tokens',
    // Moves the model's reasoning out of `content` into `reasoning_details`.
    extraBody: { reasoning_split: true },
    prices: { 'MiniMax-M2': { input: 0.3, output: 1.2 } },
  },
  ollama: {
    name: 'ollama',
    defaultBaseUrl: 'http://localhost:11434/v1',
    defaultModel: 'llama3.1',
    structuredOutputs: ALL_MODES,
    toolChoice: false,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    extraBody: {},
    prices: {},
  },
  vllm: {
    name: 'vllm',
    defaultBaseUrl: 'http://localhost:8000/v1',
    defaultModel: 'default',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    extraBody: {},
    prices: {},
  },
  litellm: {
    name: 'litellm',
    defaultBaseUrl: 'http://localhost:4000/v1',
    defaultModel: 'gpt-4o-mini',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    extraBody: {},
    prices: {},
  },
  generic: {
    name: 'generic',
    defaultBaseUrl: undefined,
    defaultModel: 'gpt-4o-mini',
    structuredOutputs: ALL_MODES,
    toolChoice: true,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    extraBody: {},
    prices: {},
  },
};

/**
 * Guesses the provider from a base URL; unknown hosts are `generic`, no URL means OpenAI.
 *
 * @example
 * detectProvider('https://openrouter.ai/api/v1'); // 'openrouter'
 * detectProvider('http://localhost:11434/v1'); // 'ollama'
 */
export function detectProvider(baseUrl: string | undefined): ProviderName {
  if (!baseUrl) return 'openai';
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'generic';
  }
  const host = url.hostname.toLowerCase();
  if (host === 'api.openai.com') return 'openai';
  if (host.endsWith('openrouter.ai')) return 'openrouter';
  if (host.endsWith('groq.com')) return 'groq';
  if (host.includes('minimax')) return 'minimax';
  if (url.port === '11434' || host.includes('ollama')) return 'ollama';
  if (url.port === '4000' || host.includes('litellm')) return 'litellm';
  if (url.port === '8000' || host.includes('vllm')) return 'vllm';
  return 'generic';
}
