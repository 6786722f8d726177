import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { GenerationKind } from '@stepwise/db';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app.js';
import { ZGenerationStreamInput } from '../routers/ids.js';
import { ZSyncLiveInput } from '../routers/sync.router.js';
import { apiKeyRefusal } from '../services/api-keys/api-key-scopes.js';
import type { AppServices } from '../services/app-services.js';
import { CHAT_TERMINAL_TYPES } from '../services/chat/chat-events.js';
import type { FollowEnd, SharedEvent } from '../services/events/generation-fanout.js';
import { findOwnGeneration } from '../services/events/open-generation-stream.js';
import { PLAN_TERMINAL_TYPES } from '../services/plans/plan-events.js';
import { findLiveStart } from '../services/sync/open-live-changes.js';
import { authenticateBearer, withBearerToken } from './create-context.js';
import { transformer } from './fast-superjson.js';
import { SSE_OPTIONS } from './init.js';

type StreamServices = Pick<
  AppServices,
  'db' | 'fanout' | 'changeFeed' | 'sessionCache' | 'auth' | 'env' | 'logger' | 'shutdown'
>;

/** Where a stream's events go: each as its tracked id and data, in order; then its end. */
interface StreamSink {
  send(id: string, data: unknown, shared: SharedEvent): void;
  end(end: FollowEnd): void;
}

/** Starts a stream the caller may follow; returns the function that stops it. */
type StartStream = (sink: StreamSink) => () => void;

/**
 * Opens one subscription for a signed-in caller: its stream when the input is valid and
 * names what is theirs, else undefined (or a throw), and tRPC answers the request.
 */
type OpenStream = (
  services: StreamServices,
  request: { input: unknown; userId: string },
) => Promise<StartStream | undefined>;

/** `plan.progress` and `chat.stream`: one of the caller's generations of these kinds. */
const generationStream =
  (kinds: GenerationKind[], terminalTypes: readonly string[]): OpenStream =>
  async (services, { input, userId }) => {
    const parsed = ZGenerationStreamInput.safeParse(input);
    if (!parsed.success) return undefined;
    const generation = await findOwnGeneration(services, {
      userId,
      generationId: parsed.data.generationId,
      kinds,
    });
    return (sink) =>
      services.fanout.follow({
        generationId: generation.id,
        lastEventId: parsed.data.lastEventId,
        terminalTypes,
        sink: { send: (event, shared) => sink.send(event.id, event.data, shared), end: sink.end },
      });
  };

/** `sync.live`: the caller's changes, from where the feed starts (fixed before the answer). */
const syncLive: OpenStream = async (services, { input, userId }) => {
  const parsed = ZSyncLiveInput.safeParse(input);
  if (!parsed.success) return undefined;
  const afterId = await findLiveStart(services, { userId, lastEventId: parsed.data?.lastEventId });
  return (sink) =>
    services.changeFeed.follow({
      userId,
      afterId,
      sink: {
        send: ({ eventId, change }, shared) => sink.send(eventId, change, shared),
        end: sink.end,
      },
    });
};

/** The subscriptions this route carries, by tRPC path. */
const STREAMS: Record<string, OpenStream> = {
  'plan.progress': generationStream(['plan', 'revision'], PLAN_TERMINAL_TYPES),
  'chat.stream': generationStream(['chat'], CHAT_TERMINAL_TYPES),
  'sync.live': syncLive,
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

/** A tracked event, as tRPC writes `tracked(id, data)`. */
export const dataFrame = (id: string, data: unknown) =>
  `data: ${JSON.stringify(transformer.serialize(data))}\nid: ${id}\n\n\n`;

/**
 * `plan.progress`, `chat.stream` and `sync.live` over SSE, in exactly the format tRPC's SSE
 * transport writes (connected, tracked data with ids, pings, return), so
 * `httpSubscriptionLink` and resumption by `lastEventId` work unchanged. Each live event is
 * serialized once per generation (or person, for `sync.live`) and written to every
 * subscriber's socket in one loop, instead of through a stack of web streams and async
 * generators per subscriber: an always-open `sync.live` per device is the most numerous
 * subscription there is. Only the happy path is served here: a request this route does not
 * accept (no session, bad input, another user's generation) goes on to tRPC, which answers
 * it with its usual error.
 */
export function subscriptionStreams(
  services: StreamServices,
  /** The CORS headers of a simple GET from `origin` (the app's CORS policy). */
  corsHeaders: (origin: string | undefined) => Record<string, string>,
): MiddlewareHandler<AppEnv> {
  /** Open subscriptions and what a ping does to each (write one, or cut a slow reader). */
  const subscribers = new Map<ServerResponse, () => void>();
  const pinger = setInterval(() => {
    for (const ping of subscribers.values()) ping();
  }, SSE_OPTIONS.ping.intervalMs);
  pinger.unref();
  services.shutdown.signal.addEventListener('abort', () => clearInterval(pinger), { once: true });

  return async (c, next) => {
    const path = c.req.path.slice('/trpc/'.length);
    const open = c.req.method === 'GET' ? STREAMS[path] : undefined;
    const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (!open || !outgoing || outgoing.headersSent) return next();

    const start = await accept(services, c.req.raw, open, path).catch(() => undefined);
    // The client left while we looked: nothing to answer.
    if (outgoing.destroyed) return RESPONSE_ALREADY_SENT;
    if (!start) return next();

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
      log.warn({ path, backlog }, 'slow subscriber cut');
      subscribers.delete(outgoing);
      stop();
      outgoing.destroy();
      return true;
    };
    subscribers.set(outgoing, () => {
      if (!cutIfSlow()) outgoing.write(PING_FRAME);
    });

    const stop = start({
      send(id, data, shared) {
        // Judged before writing: the frame that crosses the limit still goes out whole.
        if (cutIfSlow()) return;
        shared.frame ??= dataFrame(id, data);
        outgoing.write(shared.frame);
      },
      end(end) {
        subscribers.delete(outgoing);
        // Shutdown or a failed read: end without `return`, so the client reconnects and
        // resumes from its last id (on another instance, or once the database answers).
        outgoing.end(end.reason === 'terminal' ? RETURN_FRAME : undefined);
      },
    });
    // A write racing the client's disconnect fails here, not as an unhandled error.
    outgoing.on('error', () => {});
    outgoing.once('close', () => {
      subscribers.delete(outgoing);
      stop();
    });
    // Mounted before any middleware that prepares response headers: Hono would merge this
    // marker into a copy, for which Node's adapter writes a head again.
    return RESPONSE_ALREADY_SENT;
  };
}

/**
 * The caller's stream, when the bearer token (a session, or an API key with the procedure's
 * scope) and the input are valid and it is theirs.
 */
async function accept(
  services: StreamServices,
  req: Request,
  open: OpenStream,
  path: string,
): Promise<StartStream | undefined> {
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
  const rawParams = url.searchParams.get('connectionParams');
  const connectionParams = rawParams === null ? null : (JSON.parse(rawParams) as unknown);
  const { headers } = withBearerToken(
    req.headers,
    typeof connectionParams === 'object' ? (connectionParams as Record<string, unknown>) : null,
  );
  const caller = await authenticateBearer(services, headers);
  // A key without the scope goes on to tRPC, which answers FORBIDDEN naming it.
  if (!caller || (caller.apiKey && apiKeyRefusal(caller.apiKey.scopes, path))) return undefined;
  return open(services, { input, userId: caller.user.id });
}
