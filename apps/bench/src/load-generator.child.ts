import autocannon from 'autocannon';
import type { LoadConfig, LoadResult } from './load-generator.js';

// The load generator's own process (spawned by `runLoad`), so its CPU time does not share an
// event loop with the servers under test: reads a LoadConfig on stdin, runs autocannon,
// writes a LoadResult on stdout.
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadConfig;

let nextConnection = 0;
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationS,
  timeout: 10,
  headers: config.headers,
  // Each connection gets its own request sequence (looped), e.g. its own tasks to toggle.
  setupClient: (client) => {
    const own = config.sequences[nextConnection++ % config.sequences.length]!;
    client.setRequests(
      own.map((r) => ({
        method: r.method,
        path: r.path,
        ...(r.body === undefined
          ? {}
          : { body: r.body, headers: { ...config.headers, 'content-type': 'application/json' } }),
      })),
    );
  },
});
const out: LoadResult = {
  tool: 'autocannon',
  durationS: result.duration,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  reqPerSec: result['2xx'] / result.duration,
  latency: {
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  },
};
process.stdout.write(JSON.stringify(out));
