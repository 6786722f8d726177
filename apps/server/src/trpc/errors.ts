import { type DomainErrorCode, isDomainError } from '@stepwise/core';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/unstable-core-do-not-import';

/** The one place a domain failure becomes a tRPC code. A new DomainErrorCode must be added here. */
export const DOMAIN_TO_TRPC = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  BUDGET_EXHAUSTED: 'TOO_MANY_REQUESTS',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  PLAN_CONSTRAINTS: 'UNPROCESSABLE_CONTENT',
  LLM_TIMEOUT: 'TIMEOUT',
  LLM_RATE_LIMITED: 'TOO_MANY_REQUESTS',
  LLM_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  LLM_REJECTED: 'BAD_GATEWAY',
  LLM_TRUNCATED: 'BAD_GATEWAY',
  LLM_INVALID_OUTPUT: 'BAD_GATEWAY',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<DomainErrorCode, TRPC_ERROR_CODE_KEY>;

/** Wraps a DomainError in the TRPCError its code maps to; anything else is left alone. */
export function toTRPCError(error: unknown): unknown {
  if (!isDomainError(error)) return error;
  return new TRPCError({ code: DOMAIN_TO_TRPC[error.code], message: error.message, cause: error });
}
