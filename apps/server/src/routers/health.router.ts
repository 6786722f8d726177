import type { TRPCRouterRecord } from '@trpc/server';
import { checkDatabase } from '../services/health.service.js';
import { publicProcedure } from '../trpc/init.js';

export const healthRouter = {
  /** Same answer as GET /ready: the server is up and its database answers. */
  check: publicProcedure.query(({ ctx }) => checkDatabase(ctx.db)),
} satisfies TRPCRouterRecord;
