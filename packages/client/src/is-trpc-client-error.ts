import type { AppRouter } from '@stepwise/server';
import { TRPCClientError } from '@trpc/client';

/**
 * Narrows an unknown error to a Stepwise error, whose `data` carries the tRPC `code`, the
 * `zodError` field errors of a BAD_REQUEST, and the `domainCode` (e.g. `LLM_TIMEOUT`).
 *
 * @example
 * catch (error) { if (isTRPCClientError(error) && error.data?.code === 'NOT_FOUND') ... }
 */
export function isTRPCClientError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}
