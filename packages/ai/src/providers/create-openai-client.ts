import { DomainError } from '@stepwise/core';
import OpenAI from 'openai';
import type { AiConfig } from './ai-config.js';

/**
 * The openai SDK client for an online configuration. SDK retries are off (`maxRetries: 0`):
 * the pipelines retry themselves so that they decide which failure maps to which error code.
 * The SDK `timeout` only bounds the wait for response headers.
 */
export function createOpenAIClient(config: AiConfig): OpenAI {
  if (config.mode === 'offline') {
    throw new DomainError('INTERNAL', 'the AI configuration is offline: no LLM client to create');
  }
  return new OpenAI({
    // Local servers (Ollama, vLLM) need no key, but the SDK refuses an empty one.
    apiKey: config.apiKey ?? 'no-key',
    baseURL: config.baseUrl,
    maxRetries: 0,
    timeout: config.requestTimeoutMs,
  });
}
