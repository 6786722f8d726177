import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';
import type { Env } from './env.js';

export type { Logger };

/** Scalar fields of errors worth a log line (pg's DatabaseError, Node's system errors, ours). */
const ERROR_FIELDS = [
  'code',
  'detail',
  'hint',
  'severity',
  'table',
  'column',
  'constraint',
  'routine',
  'errno',
  'syscall',
  'address',
  'port',
  'status',
] as const;

/**
 * pino's error serializer copies every enumerable property, so an error that carries a pg
 * `Client`, a socket or a request would dump it whole. Keep the type, message, stack, the
 * scalar fields above and the cause chain (to a few levels), nothing else.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const full = stdSerializers.err(error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: full.type,
    message: error.message,
    stack: full.stack,
  };
  for (const field of ERROR_FIELDS) {
    const value = full[field];
    if (value !== undefined && (typeof value !== 'object' || value === null)) out[field] = value;
  }
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** JSON logs by default; human-readable in an interactive development terminal. */
export function createLogger(
  env: Pick<Env, 'LOG_LEVEL' | 'LOG_PRETTY'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: env.LOG_LEVEL,
    base: { service: 'stepwise' },
    redact: ['req.headers.authorization', '*.password', '*.token'],
    serializers: { err: (error: unknown) => serializeError(error) },
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    ...(env.LOG_PRETTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' } } }
      : {}),
  });
}
