import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of the mock model that holds every request until
 * `open()`: lets a benchmark start many model streams at the same instant, once everything
 * upstream of the model (jobs, prompts, subscriptions) is in place.
 */
export async function startModelGate(target: string) {
  const upstream = new URL(target);
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (part: Buffer) => body.push(part));
    req.on('end', () => {
      waiting++;
      for (const waiter of waiters.filter((w) => waiting >= w.count)) waiter.resolve();
      waiters = waiters.filter((w) => waiting < w.count);
      void opened.then(() => {
        const forward = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(Buffer.concat(body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}${upstream.pathname}`;
  return {
    /** The gate's URL, with the target's path (e.g. `/v1`). */
    url: base.replace(/\/$/, ''),
    /** Resolves once `count` requests in all have arrived (and are held, until `open`). */
    arrived(count: number) {
      if (waiting >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    open: () => release(),
    close() {
      agent.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
