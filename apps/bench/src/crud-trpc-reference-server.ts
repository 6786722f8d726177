import http from 'node:http';
import { transformer } from '@stepwise/server';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import {
  HttpError,
  referencePool,
  referenceQueries,
  serveOnLoopback,
  uuid,
} from './crud-reference-server.js';

/**
 * The framework's share of the CRUD benchmark: the bare reference's hand-written SQL served
 * by tRPC's own Node adapter with Stepwise's superjson writer (the same wire format), and
 * nothing else: no Hono, no session lookup (the bearer token is compared in memory), no
 * Kysely, no DTOs, one middleware. What stays between this and the bare server is tRPC.
 */
export async function startTrpcReferenceServer(input: {
  databaseUrl: string;
  poolSize: number;
  token: string;
  userId: string;
}) {
  const pool = referencePool(input.databaseUrl, input.poolSize, 'bench-trpc-reference');
  const queries = referenceQueries(pool, input.userId);
  const bearer = `Bearer ${input.token}`;
  const t = initTRPC.context<{ signedIn: boolean }>().create({ transformer });
  const signedIn = t.procedure.use(({ ctx, next }) => {
    if (!ctx.signedIn) throw new TRPCError({ code: 'UNAUTHORIZED' });
    return next();
  });
  const object = (value: unknown) => (value ?? {}) as Record<string, unknown>;
  const notFound = <T>(run: () => Promise<T>) =>
    run().catch((error: unknown) => {
      if (error instanceof HttpError) {
        throw new TRPCError({ code: error.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST' });
      }
      throw error;
    });
  const router = t.router({
    goal: t.router({
      get: signedIn
        .input((value) => ({ goalId: uuid(object(value).goalId) }))
        .query(({ input }) => notFound(() => queries.getGoal(input.goalId))),
    }),
    task: t.router({
      setComplete: signedIn
        .input((value) => {
          const { taskId, completed } = object(value);
          if (typeof completed !== 'boolean') throw new Error('completed?');
          return { taskId: uuid(taskId), completed };
        })
        .mutation(({ input }) =>
          notFound(() => queries.setComplete(input.taskId, input.completed)),
        ),
    }),
    plan: t.router({
      restore: signedIn
        .input((value) => {
          const { goalId, version } = object(value);
          if (!Number.isInteger(version)) throw new Error('version?');
          return { goalId: uuid(goalId), version: version as number };
        })
        .mutation(({ input }) => notFound(() => queries.restore(input.goalId, input.version))),
    }),
  });
  const handler = createHTTPHandler({
    router,
    basePath: '/trpc/',
    createContext: ({ req }) => ({ signedIn: req.headers.authorization === bearer }),
  });
  return serveOnLoopback(http.createServer(handler), pool);
}
