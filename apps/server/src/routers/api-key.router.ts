import { DomainError } from '@stepwise/core';
import { listApiKeys, revokeApiKey } from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { createApiKey } from '../services/api-keys/api-key.service.js';
import { API_KEY_SCOPES } from '../services/api-keys/api-key-scopes.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

/** Personal API keys, for scripts, MCP clients and other non-browser callers. Sessions only. */
export const apiKeyRouter = {
  /**
   * A new key with the given scopes; `key` (`sk_…`) is in this answer only, never again.
   * Send it as `Authorization: Bearer sk_…`.
   */
  create: protectedProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.db, { userId: ctx.user.id, ...input })),

  /** The caller's keys, newest first (revoked and expired ones too), without the keys. */
  list: protectedProcedure.query(({ ctx }) => listApiKeys(ctx.db, { userId: ctx.user.id })),

  /** Revokes a key at once; revoking it again is not an error. */
  revoke: protectedProcedure.input(z.object({ apiKeyId: ZId })).mutation(async ({ ctx, input }) => {
    const apiKey = await revokeApiKey(ctx.db, { userId: ctx.user.id, ...input });
    if (!apiKey) throw new DomainError('NOT_FOUND', 'API key not found');
    return apiKey;
  }),
} satisfies TRPCRouterRecord;
