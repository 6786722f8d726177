import { isDomainError } from '@stepwise/core';
import { findVisitorConversation } from '@stepwise/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { apiKeyRefusal } from '../services/api-keys/api-key-scopes.js';
import type { RestMeta } from '../services/openapi/rest-meta.js';
import { hashVisitorToken } from '../services/public/visitor-token.js';
import type { Context } from './context.js';
import { toTRPCError } from './errors.js';
import { transformer } from './fast-superjson.js';

/**
 * Keep idle SSE connections alive through proxies; clients reconnect after a silent minute.
 * `subscription-streams.ts` serves the same settings for the subscriptions it carries.
 */
export const SSE_OPTIONS = {
  ping: { enabled: true, intervalMs: 15_000 },
  client: { reconnectAfterInactivityMs: 60_000 },
} as const;

// `meta.openapi` puts a procedure in the REST view (`/api`, `/openapi.json`): see RestMeta.
const builder = initTRPC.context<Context>().meta<RestMeta>();

const t = builder.create({
  // superjson on the wire; outputs written by a faster walk of the same format.
  transformer,
  sse: SSE_OPTIONS,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field errors for BAD_REQUEST, { formErrors, fieldErrors }: from input validation, or
        // from a check the database made (a DomainError with `details.fieldErrors`).
        zodError: cause instanceof ZodError ? z.flattenError(cause) : domainFieldErrors(cause),
        domainCode: isDomainError(cause) ? cause.code : null,
        // When to try again after TOO_MANY_REQUESTS (rate limits), in milliseconds.
        retryAfterMs:
          isDomainError(cause) && typeof cause.details?.retryAfterMs === 'number'
            ? cause.details.retryAfterMs
            : null,
        // Never leak stack traces to clients.
        stack: undefined,
      },
    };
  },
});

function domainFieldErrors(cause: unknown) {
  const fieldErrors = isDomainError(cause) ? cause.details?.fieldErrors : undefined;
  if (!fieldErrors || typeof fieldErrors !== 'object') return null;
  return { formErrors: [] as string[], fieldErrors: fieldErrors as Record<string, string[]> };
}

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** Turns DomainErrors into their tRPC codes; logs what is a genuine server fault. */
const errorMapping = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = toTRPCError(result.error.cause);
  if (mapped instanceof TRPCError) throw mapped;
  if (result.error.code === 'INTERNAL_SERVER_ERROR') {
    ctx.log.error({ err: result.error.cause ?? result.error, path, type }, 'procedure failed');
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

/**
 * Requires a signed-in caller; `ctx.user` is non-null inside. A caller with a personal API key
 * gets FORBIDDEN unless the key holds the scope the procedure needs (`PROCEDURE_SCOPES`).
 */
export const protectedProcedure = publicProcedure.use(({ ctx, next, path }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  if (ctx.apiKey) {
    const refusal = apiKeyRefusal(ctx.apiKey.scopes, path);
    if (refusal) throw new TRPCError({ code: 'FORBIDDEN', message: refusal });
  }
  // tRPC merges this into the context; no copy of the rest here.
  return next({ ctx: { user: ctx.user } });
});

/**
 * Requires a public chat visitor's token; `ctx.visitor` is the one conversation it opens (and
 * its workspace and owner). A session token is not a visitor token, nor the reverse.
 */
export const visitorProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const visitor = ctx.visitorToken
    ? await findVisitorConversation(ctx.db, hashVisitorToken(ctx.visitorToken))
    : undefined;
  if (!visitor) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'start a conversation with public.startConversation and send its visitor token',
    });
  }
  return next({ ctx: { visitor } });
});
