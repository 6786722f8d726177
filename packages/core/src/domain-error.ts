/**
 * Every failure the domain layers (`@stepwise/db`, `@stepwise/ai`, server services) report.
 * The server maps each code to a tRPC code in one exhaustive table, so adding a code here
 * without mapping it fails to compile.
 */
export const DOMAIN_ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
  'CANCELLED',
  'PLAN_CONSTRAINTS',
  'LLM_TIMEOUT',
  'LLM_RATE_LIMITED',
  'LLM_UNAVAILABLE',
  'LLM_REJECTED',
  'LLM_TRUNCATED',
  'LLM_INVALID_OUTPUT',
  'INTERNAL',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * @example
 * throw new DomainError('NOT_FOUND', 'goal not found');
 * throw new DomainError('LLM_TIMEOUT', 'no chunk for 30 s', { cause: err });
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  /** Extra data a client may act on, e.g. `{ retryAfterMs }` or field errors. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: DomainErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
