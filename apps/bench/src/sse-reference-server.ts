import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';

// Reference for subscriptions.bench.ts, run in its own process: the least an SSE endpoint can
// do in Node. `GET /sub/<generationId>` answers with the SSE headers and one event, then keeps
// the stream open until the client leaves. After `GET /listen`, it LISTENs on the stream
// events channel of DATABASE_URL and writes each announced event, serialized once, to the
// subscribers of its generation. Stops on SIGTERM.
const CHANNEL = 'stepwise_stream_events';
const subscribers = new Map<string, Set<ServerResponse>>();
let listener: pg.Client | undefined;

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.end('ok');
    return;
  }
  if (req.url === '/listen') {
    if (listener) {
      res.end('ok');
      return;
    }
    listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    listener.on('notification', ({ payload }) => {
      if (!payload) return;
      const notice = JSON.parse(payload) as {
        generationId: string;
        event?: { id: string; data: unknown };
      };
      const set = subscribers.get(notice.generationId);
      if (!set || !notice.event) return;
      const frame = `id: ${notice.event.id}\ndata: ${JSON.stringify({ json: notice.event.data })}\n\n`;
      for (const subscriber of set) subscriber.write(frame);
    });
    listener
      .connect()
      .then(() => listener?.query(`LISTEN ${CHANNEL}`))
      .then(
        () => res.end('ok'),
        (error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        },
      );
    return;
  }
  const generationId = req.url?.split('/')[2] ?? '';
  let set = subscribers.get(generationId);
  if (!set) {
    set = new Set();
    subscribers.set(generationId, set);
  }
  const own = set;
  own.add(res);
  res.on('close', () => own.delete(res));
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(`id: 1\ndata: {"json":{"type":"queued"}}\n\n`);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => {
  void listener?.end();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
