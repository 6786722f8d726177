import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(emptyAsUndefined, schema.optional());

const DEV_AUTH_SECRET = 'stepwise-development-secret-do-not-use-in-production';

/** Every setting Stepwise reads. README's configuration table lists the same names. */
export const ZEnv = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    DATABASE_URL: optional(z.string().url()),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(5439),
    DATA_DIR: optional(z.string()),
    AUTO_MIGRATE: boolean.default(true),
    CORS_ORIGINS: list.default([
      'http://localhost:3000',
      'http://localhost:5173',
      'http://localhost:8081',
    ]),
    AUTH_SECRET: optional(z.string().min(32)),
    AUTH_BASE_URL: optional(z.string().url()),
    TRUST_PROXY: boolean.default(false),
    SESSION_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
    SIGNIN_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    SIGNIN_MAX_PER_IP: z.coerce.number().int().min(1).default(30),
    SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    /** Public (visitor) chat: conversations started and messages sent per IP per minute. */
    PUBLIC_MAX_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    /** Public chat: messages per conversation per minute. */
    PUBLIC_MAX_PER_CONVERSATION_PER_MINUTE: z.coerce.number().int().min(1).default(6),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    LOG_PRETTY: optional(boolean),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    RUN_WORKER: boolean.default(true),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    WORKER_STALE_AFTER_MS: z.coerce.number().int().min(1_000).default(30_000),
    WORKER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    OPENAI_API_KEY: optional(z.string()),
    OPENAI_BASE_URL: optional(z.string().url()),
    AI_PROVIDER: optional(
      z.enum(['openai', 'openrouter', 'groq', 'minimax', 'ollama', 'vllm', 'litellm', 'generic']),
    ),
    AI_PLAN_MODEL: optional(z.string()),
    AI_CHAT_MODEL: optional(z.string()),
    AI_REQUEST_TIMEOUT_MS: optional(z.coerce.number().int().min(100)),
    AI_IDLE_TIMEOUT_MS: optional(z.coerce.number().int().min(100)),
    AI_DEADLINE_MS: optional(z.coerce.number().int().min(1_000)),
    /** smtp://user:pass@host:port (smtps:// for TLS); without it, emails are logged, not sent. */
    SMTP_URL: optional(z.string().url()),
    EMAIL_FROM: z.string().default('Stepwise <no-reply@stepwise.local>'),
    /** First retry of a failed webhook delivery after this long; doubles each attempt. */
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** Deliver to loopback, private and link-local addresses too (default: not in production). */
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: optional(boolean),
    /** The personal API key (sk_…) the stdio MCP entry (`pnpm mcp`) acts with. */
    STEPWISE_API_KEY: optional(z.string().trim().startsWith('sk_', 'an API key starts with sk_')),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SECRET'],
        message: 'AUTH_SECRET (32+ characters) is required in production',
      });
    }
  })
  .transform((env) => ({
    ...env,
    AUTH_SECRET: env.AUTH_SECRET ?? DEV_AUTH_SECRET,
    LOG_PRETTY: env.LOG_PRETTY ?? (env.NODE_ENV === 'development' && process.stdout.isTTY),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS:
      env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? env.NODE_ENV !== 'production',
  }));

export type Env = z.output<typeof ZEnv>;

/**
 * Parses the environment once, failing with every problem listed. The only reader of
 * `process.env` in the server.
 *
 * @example
 * const env = loadEnv({ ...process.env, PORT: '0' });
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`)
      .join('\n');
    throw new Error(`invalid environment:\n${problems}`);
  }
  return parsed.data;
}
