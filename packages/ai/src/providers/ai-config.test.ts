import { DomainError } from '@stepwise/core';
import { describe, expect, it } from 'vitest';
import { resolveAiConfig } from './ai-config.js';
import { detectProvider, PROVIDER_PROFILES } from './provider-profiles.js';

describe('detectProvider', () => {
  it.each([
    [undefined, 'openai'],
    ['https://api.openai.com/v1', 'openai'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.minimax.io/v1', 'minimax'],
    ['https://api.minimaxi.com/v1', 'minimax'],
    ['http://localhost:11434/v1', 'ollama'],
    ['http://ollama.internal/v1', 'ollama'],
    ['http://localhost:4000', 'litellm'],
    ['http://vllm.cluster.local/v1', 'vllm'],
    ['http://127.0.0.1:8000/v1', 'vllm'],
    ['http://127.0.0.1:5123/v1', 'generic'],
    ['not a url', 'generic'],
  ])('%s → %s', (baseUrl, provider) => {
    expect(detectProvider(baseUrl)).toBe(provider);
  });
});

describe('resolveAiConfig', () => {
  it('is offline without an API key or base URL', () => {
    expect(resolveAiConfig({})).toMatchObject({
      mode: 'offline',
      apiKey: undefined,
      baseUrl: undefined,
    });
    expect(resolveAiConfig({ apiKey: '', baseUrl: '' }).mode).toBe('offline');
  });

  it('uses OpenAI and its default model with only a key', () => {
    expect(resolveAiConfig({ apiKey: 'sk-test' })).toMatchObject({
      mode: 'online',
      provider: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      planModel: 'gpt-4o-mini',
      chatModel: 'gpt-4o-mini',
    });
  });

  it('goes online with only a base URL (local servers need no key)', () => {
    expect(resolveAiConfig({ baseUrl: 'http://localhost:11434/v1' })).toMatchObject({
      mode: 'online',
      provider: 'ollama',
      planModel: 'llama3.1',
    });
  });

  it('lets an explicit provider and models win over detection and defaults', () => {
    const config = resolveAiConfig({
      apiKey: 'k',
      baseUrl: 'https://gateway.example.com/v1',
      provider: 'OpenRouter',
      planModel: 'anthropic/claude-sonnet-4',
      chatModel: 'openai/gpt-4o-mini',
      idleTimeoutMs: 200,
    });
    expect(config).toMatchObject({
      provider: 'openrouter',
      planModel: 'anthropic/claude-sonnet-4',
      chatModel: 'openai/gpt-4o-mini',
      idleTimeoutMs: 200,
      requestTimeoutMs: 60_000,
      deadlineMs: 180_000,
    });
    expect(config.profile.extraBody).toEqual({ provider: { require_parameters: true } });
  });

  it('rejects an unknown provider name', () => {
    expect(() => resolveAiConfig({ apiKey: 'k', provider: 'skynet' })).toThrow(DomainError);
  });
});

describe('PROVIDER_PROFILES', () => {
  it('orders structured-output modes from strictest to prompted', () => {
    const order = ['json_schema', 'json_object', 'prompted'];
    for (const profile of Object.values(PROVIDER_PROFILES)) {
      const indexes = profile.structuredOutputs.map((mode) => order.indexOf(mode));
      expect(indexes).toEqual([...indexes].sort());
      expect(profile.structuredOutputs.at(-1)).toBe('prompted');
    }
  });

  it('carries the provider quirks', () => {
    expect(PROVIDER_PROFILES.minimax.extraBody).toEqual({ reasoning_split: true });
    expect(PROVIDER_PROFILES.minimax.structuredOutputs).toEqual(['prompted']);
    expect(PROVIDER_PROFILES.groq.streamUsage).toBe(false);
    expect(PROVIDER_PROFILES.ollama.toolChoice).toBe(false);
  });
});
