import type { AnyTRPCProcedure } from '@trpc/server';
import {
  generateOpenApiDocument,
  type OpenAPIObject,
  type OpenApiMeta,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import { appRouter } from '../../trpc/root.js';
import type { RestMeta } from './rest-meta.js';

/** Our meta must be what trpc-to-openapi reads (a type error here otherwise). */
const metaFits = (meta: RestMeta): OpenApiMeta => meta;
void metaFits;

/** Where the REST view of the procedures is served. */
export const REST_PREFIX = '/api';

let restRouter: OpenApiRouter | undefined;
let document: OpenAPIObject | undefined;

/**
 * `appRouter` as trpc-to-openapi reads it: each procedure in the REST view carries its
 * `meta.response` where the library looks for an output schema (`_def.output`, which a tRPC
 * `.output()` would set, with a validation of every answer on every call). Calls still go
 * through `appRouter`'s own caller.
 */
export function getRestRouter(): OpenApiRouter {
  restRouter ??= (() => {
    // By dotted path: tRPC keeps them flat at run time, whatever its types say.
    const all = appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>;
    const procedures = Object.fromEntries(
      Object.entries(all).map(([path, procedure]) => {
        const response = (procedure._def.meta as RestMeta | undefined)?.response;
        return [path, response ? { _def: { ...procedure._def, output: response } } : procedure];
      }),
    );
    return { ...appRouter, _def: { ...appRouter._def, procedures } } as unknown as OpenApiRouter;
  })();
  return restRouter;
}

/**
 * The OpenAPI 3.1 document of every procedure with `meta.openapi`, built on first use (its
 * paths are relative to `REST_PREFIX`). Every operation takes the same bearer token as tRPC: a
 * session token from `auth.signIn`, or a personal API key.
 */
export function getOpenApiDocument(): OpenAPIObject {
  document ??= generateOpenApiDocument(getRestRouter(), {
    title: 'Stepwise API',
    description:
      'The REST view of the main Stepwise procedures (the same ones as tRPC at `/trpc`, with the ' +
      'same validation and errors). Authenticate with `Authorization: Bearer <token>`: a ' +
      'session token from `auth.signIn`, or a personal API key (`sk_…`, made with ' +
      '`apiKey.create`) whose scopes allow the operation. Timestamps are ISO 8601 strings.',
    version: '1.0.0',
    baseUrl: REST_PREFIX,
    tags: ['goals', 'plans', 'tasks', 'chat', 'auth'],
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A session token (auth.signIn) or a personal API key (sk_…)',
      },
    },
  });
  return document;
}
