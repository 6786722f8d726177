import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Handler } from 'hono';
import type { AppEnv } from '../../app.js';
import { createHttpContextFactory, withBearerToken } from '../../trpc/create-context.js';
import { isApiKeyToken } from '../api-keys/api-key.service.js';
import type { AppServices } from '../app-services.js';
import { createMcpServer } from './create-mcp-server.js';

const CHALLENGE = 'Bearer realm="stepwise-mcp"';
const INVALID_KEY = 'send a valid personal API key (sk_...), not revoked or expired';

/**
 * The MCP endpoint (`POST /mcp`), Streamable HTTP in stateless mode: each request gets its own
 * server and transport, answered as JSON, so any instance can serve any call. Authenticated
 * with a personal API key only (`Authorization: Bearer sk_…`): 401 with a `WWW-Authenticate`
 * challenge otherwise. GET (a server-to-client stream) and DELETE (ending a session) have no
 * meaning without sessions: 405.
 */
export function mcpRoute(services: AppServices): Handler<AppEnv> {
  const createContext = createHttpContextFactory(services);
  return async (c) => {
    // Only an API key can pass: any other token is refused without looking it up.
    const token = withBearerToken(c.req.raw.headers, null).sessionToken;
    const context =
      token && isApiKeyToken(token)
        ? await createContext({ req: c.req.raw, info: { connectionParams: null } }, c)
        : undefined;
    if (!context?.apiKey) {
      // RFC 6750: no error code in the challenge when no credentials came at all.
      const challenge = c.req.header('authorization')
        ? `${CHALLENGE}, error="invalid_token", error_description="${INVALID_KEY}"`
        : CHALLENGE;
      return c.json({ error: 'unauthorized', message: INVALID_KEY }, 401, {
        'www-authenticate': challenge,
      });
    }
    if (c.req.method !== 'POST') {
      return c.json(
        { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null },
        405,
        { allow: 'POST' },
      );
    }

    const server = createMcpServer(() => context);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  };
}
