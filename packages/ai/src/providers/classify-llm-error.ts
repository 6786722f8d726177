import { APIConnectionTimeoutError, APIError } from 'openai';

/**
 * What a failed LLM request means for the caller:
 * - `rate_limited`: 429; retry after `retryAfterMs` when the provider said how long;
 * - `mode_rejected`: 400/422 about `response_format`: try the next structured-output mode;
 * - `timeout`: no response headers within the SDK timeout;
 * - `transient`: 5xx, 408/409, dropped connection, malformed stream: worth a bounded retry,
 *   after `retryAfterMs` when the provider said how long (a 503 may);
 * - `rejected`: any other 4xx (bad key, unknown model, bad request): retrying cannot help.
 */
export type LlmFailure =
  | { kind: 'rate_limited'; retryAfterMs: number | undefined; message: string }
  | { kind: 'mode_rejected'; message: string }
  | { kind: 'timeout'; message: string }
  | {
      kind: 'transient';
      message: string;
      status: number | undefined;
      retryAfterMs: number | undefined;
    }
  | { kind: 'rejected'; message: string; status: number };

const RESPONSE_FORMAT_HINT = /response_format|json_schema|json_object|structured output|json mode/i;

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Sorts an error thrown by the openai SDK (request or stream iteration) into an `LlmFailure`. */
export function classifyLlmError(error: unknown): LlmFailure {
  const message = describe(error);
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', message };
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    if (status === 429) {
      return { kind: 'rate_limited', retryAfterMs: parseRetryAfter(error.headers), message };
    }
    if (status >= 500 || status === 408 || status === 409) {
      return { kind: 'transient', message, status, retryAfterMs: parseRetryAfter(error.headers) };
    }
    const body = `${message} ${error.param ?? ''} ${JSON.stringify(error.error ?? null)}`;
    if ((status === 400 || status === 422) && RESPONSE_FORMAT_HINT.test(body)) {
      return { kind: 'mode_rejected', message };
    }
    return { kind: 'rejected', message, status };
  }
  return { kind: 'transient', message, status: undefined, retryAfterMs: undefined };
}
