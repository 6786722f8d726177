import { getConnInfo } from '@hono/node-server/conninfo';
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch';
import type { Context as HonoContext } from 'hono';
import type { AppServices } from '../services/app-services.js';
import { getSessionUser } from '../services/auth/auth.service.js';
import { isVisitorToken } from '../services/public/visitor-token.js';
import type { Context } from './context.js';

/**
 * Per-request context over HTTP. The bearer token comes from the Authorization header, or,
 * for SSE subscriptions from browsers (whose EventSource cannot send headers), from the
 * `token` connection parameter.
 */
export function createHttpContextFactory(services: AppServices) {
  return async (opts: FetchCreateContextFnOptions, c: HonoContext): Promise<Context> => {
    const { headers, sessionToken } = withBearerToken(opts.req.headers, opts.info.connectionParams);
    // A visitor token is never looked up as a session: it signs no one in.
    const visitorToken = sessionToken && isVisitorToken(sessionToken) ? sessionToken : null;
    return {
      ...services,
      user: sessionToken && !visitorToken ? await getSessionUser(services, headers) : null,
      sessionToken: visitorToken ? null : sessionToken,
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
