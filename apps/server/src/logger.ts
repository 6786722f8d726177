import { type Logger, pino } from 'pino';
import type { Env } from './env.js';

export type { Logger };

/** JSON logs by default; human-readable in an interactive development terminal. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL' | 'LOG_PRETTY'>): Logger {
  return pino({
    level: env.LOG_LEVEL,
    base: { service: 'stepwise' },
    redact: ['req.headers.authorization', '*.password', '*.token'],
    ...(env.LOG_PRETTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l' } } }
      : {}),
  });
}
