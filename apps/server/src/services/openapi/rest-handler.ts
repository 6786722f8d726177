import type { AnyTRPCProcedure } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { createRecursiveProxy } from '@trpc/server/unstable-core-do-not-import';
import type { Handler, Context as HonoContext } from 'hono';
import {
  createOpenApiNodeHttpHandler,
  type NodeHTTPRequest,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import type { z } from 'zod';
import type { AppEnv } from '../../app.js';
import type { Context } from '../../trpc/context.js';
import { createHttpContextFactory } from '../../trpc/create-context.js';
import { appRouter } from '../../trpc/root.js';
import type { AppServices } from '../app-services.js';
import { copySchema } from './copy-schema.js';
import { getRestRouter, REST_PREFIX } from './openapi-document.js';
import type { RestMeta } from './rest-meta.js';
import { readParameters, type StringParameters, stringParameters } from './rest-parameters.js';

/**
 * The REST view at `REST_PREFIX` (`GET /api/goals/{goalId}`, ...): each operation calls its
 * tRPC procedure through a caller with the request's context, so authentication (session or
 * API key and its scopes), validation and errors are the ones tRPC has; error codes become
 * HTTP statuses (UNAUTHORIZED 401 with a `WWW-Authenticate` challenge, FORBIDDEN 403,
 * NOT_FOUND 404, BAD_REQUEST 400 with the validation issues, ...). Query and path parameters
 * are read as their schemas' types (see `readParameters`); JSON bodies are taken as they are.
 *
 * trpc-to-openapi's handler is built once. (Its fetch adapter builds one per request, and
 * outside NODE_ENV=production that checks the whole router each time: tens of milliseconds.)
 */
export function restHandler(services: AppServices): Handler<AppEnv> {
  const createContext = createHttpContextFactory(services);
  const honoContexts = new WeakMap<object, HonoContext<AppEnv>>();
  const handle = createOpenApiNodeHttpHandler({
    router: handlerRouter(),
    createContext: ({ req }) => {
      const c = honoContexts.get(req)!;
      return createContext({ req: c.req.raw, info: { connectionParams: null } }, c);
    },
    responseMeta: ({ errors }) =>
      errors.some((error) => error.code === 'UNAUTHORIZED')
        ? { headers: { 'www-authenticate': 'Bearer realm="stepwise"' } }
        : {},
    onError: ({ error, path, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        honoContexts
          .get(req)
          ?.get('log')
          .error({ err: error.cause ?? error, path }, 'rest error');
      }
    },
  });

  return async (c) => {
    const req = await asOpenApiRequest(c.req.raw);
    honoContexts.set(req, c);
    return new Promise<Response>((resolve) => {
      const headers = new Headers();
      const res = {
        statusCode: 200,
        setHeader(name: string, value: string | string[]) {
          for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
        },
        end(body?: string) {
          resolve(new Response(body, { status: res.statusCode, headers }));
        },
      };
      void handle(req, res as never);
    });
  };
}

/**
 * The REST view as the handler is given it, where it differs from `getRestRouter()`:
 * - each procedure's input schemas are copies. The handler turns on `coerce` in the input
 *   schemas it serves (for the strings of query and path parameters), and the originals are
 *   the ones tRPC validates with: at `/trpc`, '5' would then pass for a number and 'false'
 *   would read as true. In the copies, that coercion reaches no call: calls go through
 *   `appRouter`'s own procedures.
 * - its caller reads the query and path parameters as their original schemas' types before
 *   each call (see `readParameters`).
 */
function handlerRouter(): OpenApiRouter {
  const rest = getRestRouter();
  const procedures = rest._def.procedures as unknown as Record<string, AnyTRPCProcedure>;
  const served: Record<string, { _def: AnyTRPCProcedure['_def'] }> = {};
  const parameters = new Map<string, StringParameters>();
  for (const [path, procedure] of Object.entries(procedures)) {
    const openapi = (procedure._def.meta as RestMeta | undefined)?.openapi;
    if (!openapi) continue;
    const inputs = procedure._def.inputs as z.core.$ZodType[];
    served[path] = {
      _def: { ...procedure._def, inputs: inputs.map((input) => copySchema(input)) },
    };
    parameters.set(path, stringParameters(openapi.method, openapi.path, inputs));
  }
  return {
    ...rest,
    _def: { ...rest._def, procedures: { ...procedures, ...served } },
    createCaller: (ctx: Context) => {
      const caller = appRouter.createCaller(ctx);
      return createRecursiveProxy(({ path, args }) => {
        const call = path.reduce<unknown>(
          (node, key) => (node as Record<string, unknown>)[key],
          caller,
        ) as (input: unknown) => Promise<unknown>;
        return call(readParameters(parameters.get(path.join('.')) ?? {}, args[0]));
      });
    },
  } as unknown as OpenApiRouter;
}

/**
 * The request as trpc-to-openapi's Node handler reads it: a web Request whose `url` is relative
 * to REST_PREFIX and whose `body` is its parsed JSON. A POST, PUT or PATCH without a body reads
 * as `{}` (`POST /generations/{id}/cancel` has everything in its path).
 */
async function asOpenApiRequest(request: Request): Promise<NodeHTTPRequest> {
  const url = new URL(request.url);
  url.pathname = url.pathname.slice(REST_PREFIX.length) || '/';

  const takesBody = !['GET', 'HEAD', 'DELETE'].includes(request.method);
  const contentType = request.headers.get('content-type');
  let body: { ok: true; value: unknown } | { ok: false; cause: unknown } = {
    ok: true,
    value: undefined,
  };
  if (takesBody) {
    const text = await request.text();
    try {
      body = { ok: true, value: text === '' ? {} : JSON.parse(text) };
    } catch (cause) {
      body = { ok: false, cause };
    }
  }
  const headers =
    contentType || !takesBody
      ? request.headers
      : new Headers([...request.headers, ['content-type', 'application/json']]);
  const href = url.href;
  return new Proxy(request, {
    get(target, property) {
      if (property === 'url') return href;
      if (property === 'headers') return headers;
      if (property === 'body') {
        if (!body.ok) {
          throw new TRPCError({
            code: 'PARSE_ERROR',
            message: 'invalid JSON body',
            cause: body.cause,
          });
        }
        return body.value;
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as NodeHTTPRequest;
}
