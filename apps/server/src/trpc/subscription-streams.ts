import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { GenerationKind, StreamEventRow } from '@stepwise/db';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.js';
import { ZGenerationStreamInput } from '../routers/ids.js';
import type { AppServices } from '../services/app-services.js';
import { getSessionUser } from '../services/auth/auth.service.js';
import { CHAT_TERMINAL_TYPES } from '../services/chat/chat-events.js';
import type { SharedEvent } from '../services/events/generation-fanout.js';
import { findOwnGeneration } from '../services/events/open-generation-stream.js';
import { PLAN_TERMINAL_TYPES } from '../services/plans/plan-events.js';
import { withBearerToken } from './create-context.js';
import { transformer } from './fast-superjson.js';
import { SSE_OPTIONS } from './init.js';

/** The subscriptions this route carries, by tRPC path. */
const STREAMS: Record<string, { kinds: GenerationKind[]; terminalTypes: readonly string[] }> = {
  'plan.progress': { kinds: ['plan', 'revision'], terminalTypes: PLAN_TERMINAL_TYPES },
  'chat.stream': { kinds: ['chat'], terminalTypes: CHAT_TERMINAL_TYPES },
};

// tRPC's SSE wire format (httpSubscriptionLink reads it): each field on its line, then "\n\n".
const CONNECTED_FRAME = `event: connected\ndata: ${JSON.stringify(SSE_OPTIONS.client)}\n\n\n`;
const PING_FRAME = 'event: ping\ndata: \n\n\n';
const RETURN_FRAME = 'event: return\ndata: \n\n\n';
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

/**
 * A subscriber whose socket holds more than `SLOW_BYTES` unsent for `SLOW_FOR_MS`, or more than
 * `HARD_BYTES` at all, is cut; its client reconnects and resumes from the log. A reader that
 * is merely busy with one large event (a 200 kB `completed`) is not.
 */
const SLOW_BYTES = 1024 * 1024;
const SLOW_FOR_MS = 10_000;
const HARD_BYTES = 16 * 1024 * 1024;

export const eventFrame = (event: StreamEventRow) =>
  `data: ${JSON.stringify(transformer.serialize(event.data))}\nid: ${event.id}\n\n\n`;

/**
 * `plan.progress` and `chat.stream` over SSE, in exactly the format tRPC's SSE transport
 * writes (connected, tracked data with ids, pings, return), so `httpSubscriptionLink` and
 * resumption by `lastEventId` work unchanged. Each live event is serialized once per
 * generation and written to every subscriber's socket in one loop, instead of through a
 * stack of web streams and async generators per subscriber. Only the happy path is served
 * here: a request this route does not accept (no session, bad input, another user's
 * generation) goes on to tRPC, which answers it with its usual error.
 */
export function subscriptionStreams(
  services: Pick<
    AppServices,
    'db' | 'fanout' | 'sessionCache' | 'auth' | 'env' | 'logger' | 'shutdown'
  >,
  /** The CORS headers of a simple GET from `origin` (the app's CORS policy). */
  corsHeaders: (origin: string | undefined) => Record<string, string>,
): MiddlewareHandler<AppEnv> {
  /** Open subscriptions and what a ping does to each (write one, or cut a slow reader). */
  const open = new Map<ServerResponse, () => void>();
  const pinger = setInterval(() => {
    for (const ping of open.values()) ping();
  }, SSE_OPTIONS.ping.intervalMs);
  pinger.unref();
  services.shutdown.signal.addEventListener('abort', () => clearInterval(pinger), { once: true });

  return async (c, next) => {
    const stream = c.req.method === 'GET' ? STREAMS[c.req.path.slice('/trpc/'.length)] : undefined;
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (!stream || !outgoing || outgoing.headersSent) return next();

    const request = await accept(services, c.req.raw, stream.kinds).catch(() => undefined);
    // The client left while we looked: nothing to answer.
    if (outgoing.destroyed) return RESPONSE_ALREADY_SENT;
    if (!request) return next();

    const headers: Record<string, string> = {
      ...SSE_HEADERS,
      'x-request-id': c.get('requestId'),
      ...corsHeaders(c.req.header('origin')),
    };
    // Nothing below may hold on to `c`: it would keep the whole request context alive for
    // as long as the subscription lasts.
    const log = c.get('log');
    outgoing.writeHead(200, headers);
    outgoing.write(CONNECTED_FRAME);

    let behindSince: number | undefined;
    /** Cuts the subscriber when it reads too slowly; true when it did. */
    const cutIfSlow = () => {
      const backlog = outgoing.writableLength;
      if (backlog <= SLOW_BYTES) {
        behindSince = undefined;
        return false;
      }
      behindSince ??= Date.now();
      if (backlog <= HARD_BYTES && Date.now() - behindSince <= SLOW_FOR_MS) return false;
      log.warn({ generationId: request.generationId, backlog }, 'slow subscriber cut');
      open.delete(outgoing);
      stop();
      outgoing.destroy();
      return true;
    };
    open.set(outgoing, () => {
      if (!cutIfSlow()) outgoing.write(PING_FRAME);
    });

    const stop = services.fanout.follow({
      generationId: request.generationId,
      lastEventId: request.lastEventId,
      terminalTypes: stream.terminalTypes,
      sink: {
        send(event, shared: SharedEvent) {
          // Judged before writing: the frame that crosses the limit still goes out whole.
          if (cutIfSlow()) return;
          shared.frame ??= eventFrame(event);
          outgoing.write(shared.frame);
        },
        end(end) {
          open.delete(outgoing);
          // Shutdown or a failed read: end without `return`, so the client reconnects and
          // resumes from its last id (on another instance, or once the database answers).
          outgoing.end(end.reason === 'terminal' ? RETURN_FRAME : undefined);
        },
      },
    });
    // A write racing the client's disconnect fails here, not as an unhandled error.
    outgoing.on('error', () => {});
    outgoing.once('close', () => {
      open.delete(outgoing);
      stop();
    });
    // Mounted before any middleware that prepares response headers: Hono would merge this
    // marker into a copy, for which Node's adapter writes a head again.
    return RESPONSE_ALREADY_SENT;
  };
}

/** The subscription's input and caller, when both are valid and the generation is theirs. */
async function accept(
  services: Pick<AppServices, 'db' | 'sessionCache' | 'auth' | 'env' | 'logger'>,
  req: Request,
  kinds: GenerationKind[],
) {
  const url = new URL(req.url);
  const rawInput = url.searchParams.get('input');
  let input: unknown =
    rawInput === null ? undefined : transformer.deserialize(JSON.parse(rawInput));
  // As tRPC does: the EventSource's own resumption id overrides the input's.
  const lastEventId =
    req.headers.get('last-event-id') ??
    url.searchParams.get('lastEventId') ??
    url.searchParams.get('Last-Event-Id');
  if (lastEventId) {
    input =
      typeof input === 'object' && input !== null ? { ...input, lastEventId } : { lastEventId };
  }
  const parsed = ZGenerationStreamInput.safeParse(input);
  if (!parsed.success) return undefined;

  const rawParams = url.searchParams.get('connectionParams');
  const connectionParams = rawParams === null ? null : (JSON.parse(rawParams) as unknown);
  const { headers, sessionToken } = withBearerToken(
    req.headers,
    typeof connectionParams === 'object' ? (connectionParams as Record<string, unknown>) : null,
  );
  if (!sessionToken) return undefined;
  const user = await getSessionUser(services, headers);
  if (!user) return undefined;
  const generation = await findOwnGeneration(services, {
    userId: user.id,
    generationId: parsed.data.generationId,
    kinds,
  });
  return { generationId: generation.id, lastEventId: parsed.data.lastEventId };
}
