import http from 'node:http';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface SseEvent {
  id: string | undefined;
  /** `undefined` for data events; tRPC also sends `connected`, `ping`, `return`, errors. */
  event: string | undefined;
  data: string;
}

export interface SseConnection {
  /** Resolves at the first data event; rejects if the stream fails or ends before one. */
  first: Promise<void>;
  /** True once the connection has ended, for whatever reason. */
  isClosed(): boolean;
  close(): void;
}

/**
 * A raw SSE subscription over `node:http` (far lighter than an EventSource per connection,
 * for thousands of them). `onEvent` gets every frame with the time its bytes arrived.
 */
export function openSse(
  url: string,
  options: {
    agent: http.Agent;
    token?: string;
    onEvent?: (event: SseEvent, receivedAt: number) => void;
  },
): SseConnection {
  let closed = false;
  let gotFirst = false;
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const first = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  first.catch(() => {});
  const fail = (error: Error) => {
    closed = true;
    if (!gotFirst) settle.reject(error);
  };
  const request = http.get(
    url,
    {
      agent: options.agent,
      headers: {
        accept: 'text/event-stream',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
    },
    (response) => {
      response.setEncoding('utf8');
      if (response.statusCode !== 200) {
        let body = '';
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => fail(new Error(`SSE answered ${response.statusCode}: ${body}`)));
        return;
      }
      let buffer = '';
      response.on('data', (chunk: string) => {
        const receivedAt = wallNow();
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { id: undefined, event: undefined, data: '' };
          for (const line of frame.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            const field = line.slice(0, colon);
            const value = line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1);
            if (field === 'data') event.data = event.data ? `${event.data}\n${value}` : value;
            else if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
          }
          if (event.event === undefined && !gotFirst) {
            gotFirst = true;
            settle.resolve();
          }
          options.onEvent?.(event, receivedAt);
        }
      });
      response.on('close', () => fail(new Error('SSE stream ended')));
    },
  );
  request.on('error', (error) => fail(error));
  return {
    first,
    isClosed: () => closed,
    close() {
      closed = true;
      request.destroy();
    },
  };
}

/** Runs `task` over `items` with at most `limit` in flight; resolves with every result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The URL `httpSubscriptionLink` requests for `path` with a superjson-encoded input. */
export function subscriptionUrl(baseUrl: string, path: string, input: Record<string, unknown>) {
  // superjson leaves plain strings and numbers as they are: `{ json: input }`.
  return `${baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
}
