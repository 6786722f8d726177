import { getConnInfo } from '@hono/node-server/conninfo';
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch';
import type { Context as HonoContext } from 'hono';
import {
  type ApiKeyCaller,
  authenticateApiKey,
  isApiKeyToken,
} from '../services/api-keys/api-key.service.js';
import type { AppServices } from '../services/app-services.js';
import { getSessionUser } from '../services/auth/auth.service.js';
import { isVisitorToken } from '../services/public/visitor-token.js';
import type { Context, SessionUser } from './context.js';

/** Who a bearer token signs in: a session's user, or an API key's user and that key. */
export interface BearerCaller {
  user: SessionUser;
  /** Null for a session: it may call every procedure. */
  apiKey: ApiKeyCaller | null;
}

/**
 * The caller behind the request's `Authorization: Bearer …`: a personal API key (`sk_…`, one
 * indexed query) or a session (cached; see `getSessionUser`). Null when there is no token, it
 * is unknown, revoked or expired, or it is a public chat visitor's token (which signs no one in).
 * Procedures behind `protectedProcedure` also check an API key's scopes; other callers (such
 * as the SSE subscription route) check them with `apiKeyRefusal`.
 *
 * @example
 * const caller = await authenticateBearer(services, request.headers);
 * if (caller?.apiKey && apiKeyRefusal(caller.apiKey.scopes, 'plan.progress')) return forbidden;
 */
export async function authenticateBearer(
  services: Pick<AppServices, 'db' | 'auth' | 'sessionCache'>,
  headers: Headers,
): Promise<BearerCaller | null> {
  const token = withBearerToken(headers, null).sessionToken;
  if (!token || isVisitorToken(token)) return null;
  if (isApiKeyToken(token)) return authenticateApiKey(services.db, token);
  const user = await getSessionUser(services, headers);
  return user && { user, apiKey: null };
}

/**
 * Per-request context over HTTP. The bearer token comes from the Authorization header, or,
 * for SSE subscriptions from browsers (whose EventSource cannot send headers), from the
 * `token` connection parameter.
 */
export function createHttpContextFactory(services: AppServices) {
  return async (
    opts: { req: Request; info: Pick<FetchCreateContextFnOptions['info'], 'connectionParams'> },
    c: HonoContext,
  ): Promise<Context> => {
    const { headers, sessionToken: token } = withBearerToken(
      opts.req.headers,
      opts.info.connectionParams,
    );
    // A visitor token is never looked up as a session: it signs no one in.
    const visitorToken = token && isVisitorToken(token) ? token : null;
    const caller = token && !visitorToken ? await authenticateBearer(services, headers) : null;
    return {
      ...services,
      user: caller?.user ?? null,
      apiKey: caller?.apiKey ?? null,
      sessionToken: visitorToken || caller?.apiKey ? null : token,
      visitorToken,
      headers,
      log: c.get('log') ?? services.logger,
      requestId: c.get('requestId'),
      ip: clientIp(c, services.env.TRUST_PROXY),
    };
  };
}

/**
 * The request's headers with the `token` connection parameter moved into `Authorization`
 * when the request has none (browsers' EventSource cannot send headers), and that token.
 */
export function withBearerToken(
  requestHeaders: Headers,
  connectionParams: Record<string, unknown> | null | undefined,
): { headers: Headers; sessionToken: string | null } {
  let headers = requestHeaders;
  const paramToken = connectionParams?.token;
  if (!headers.get('authorization') && typeof paramToken === 'string' && paramToken) {
    headers = new Headers(requestHeaders);
    headers.set('authorization', `Bearer ${paramToken}`);
  }
  const auth = headers.get('authorization');
  const sessionToken = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : null;
  return { headers, sessionToken };
}

function clientIp(c: HonoContext, trustProxy: boolean): string {
  if (trustProxy) {
    // The entry our proxy appended (the last one); earlier ones are the client's to forge.
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
