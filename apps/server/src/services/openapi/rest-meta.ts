import type { z } from 'zod';

/**
 * Procedure meta: `openapi` puts a procedure in the REST view (`/api`, `/openapi.json`), and
 * `response` is the schema of its answer there. It documents the answer without being a tRPC
 * `.output()`, which would validate every answer on every call (`goal.get` and `plan.restore`
 * are benchmarked); `rest-schemas.test.ts` checks the schemas against real answers instead.
 *
 * Written out here rather than taken from trpc-to-openapi's `OpenApiMeta`: the meta type is
 * part of `AppRouter`, which the published client's declarations carry, and they must not
 * need the server's packages. `openapi-document.ts` checks that it fits `OpenApiMeta`.
 *
 * @example
 * protectedProcedure.meta({ openapi: { method: 'GET', path: '/goals' }, response: ZGoalListPage })
 */
export type RestMeta = {
  openapi?: {
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    path: `/${string}`;
    summary?: string;
    description?: string;
    tags?: string[];
    protect?: boolean;
    enabled?: boolean;
    deprecated?: boolean;
  };
  response?: z.ZodType;
};
