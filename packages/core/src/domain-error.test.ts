import { describe, expect, it } from 'vitest';
import { DomainError, isDomainError } from './domain-error.js';

describe('DomainError', () => {
  it('keeps its code, details and cause', () => {
    const cause = new Error('socket closed');
    const error = new DomainError('LLM_UNAVAILABLE', 'provider down', {
      cause,
      details: { retryAfterMs: 1000 },
    });
    expect(isDomainError(error)).toBe(true);
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details).toEqual({ retryAfterMs: 1000 });
    expect(error.cause).toBe(cause);
    expect(isDomainError(cause)).toBe(false);
  });
});
