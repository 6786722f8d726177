import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { createOpenAIClient, resolveAiConfig } from '@stepwise/ai';
import { startMockOpenAI } from '@stepwise/ai/testing';
import { createBenchDatabase } from './bench-database.js';
import { signUpOverHttp } from './bench-helpers.js';
import {
  type BenchProcess,
  postgresBackendCpuSeconds,
  startStepwiseProcess,
} from './child-process.js';
import { startModelGate } from './model-gate.js';
import { openSse, type SseConnection, subscriptionUrl } from './sse-client.js';
import { fmt, percentile } from './stats.js';

/** WORKER_CONCURRENCY's upper bound (apps/server/src/env.ts). */
const MAX_WORKER_CONCURRENCY = 100;

interface ReplyTiming {
  /** ms from the moment the model starts streaming to the first and the last token received. */
  first: number;
  last: number;
  tokens: number;
  /** SSE `delta` events (Stepwise coalesces tokens while an append is in flight). */
  events: number;
  complete: boolean;
}

/**
 * Streaming throughput: `replies` concurrent chat replies of `tokens` tokens each, streamed by
 * the mock model (as fast as the socket takes them, or one every `tokenDelayMs`), relayed by
 * Stepwise (worker → event log → NOTIFY/hub → `chat.stream` SSE) to clients that count the
 * delta text. WORKER_CONCURRENCY is at most 100, so enough worker-enabled instances run for
 * every reply to stream at once; every client subscribes through the first instance, which
 * thus relays all of them. A gate in front of the mock holds the model requests until every
 * reply has reached the model and every client is subscribed, then lets all stream at once:
 * the clock starts there. Reference, same run: the same replies read from the mock directly
 * with the openai SDK, concurrently, through a gate of their own.
 */
export async function benchRelay(
  options: { replies?: number; tokens?: number; tokenDelayMs?: number; poolSize?: number } = {},
) {
  const replies = options.replies ?? 200;
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  const tokens = options.tokens ?? 200;
  const poolSize = options.poolSize ?? 40;
  const instances = Math.ceil(replies / MAX_WORKER_CONCURRENCY);
  const concurrency = Math.ceil(replies / instances);
  const token = (i: number) => `w${i} `;
  const expected = Array.from({ length: tokens }, (_, i) => token(i)).join('');
  const mock = await startMockOpenAI({
    defaultStep: {
      kind: 'stream',
      chunks: Array.from({ length: tokens }, (_, i) => token(i)),
      delayMs: tokenDelayMs,
    },
  });
  const stepwiseGate = await startModelGate(mock.url);
  const directGate = await startModelGate(mock.url);
  const database = await createBenchDatabase();
  const databaseName = new URL(database.url).pathname.slice(1);
  const servers: BenchProcess[] = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const connections: SseConnection[] = [];
  try {
    const authSecret = randomBytes(24).toString('hex');
    for (let i = 0; i < instances; i++) {
      servers.push(
        await startStepwiseProcess({
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          DATABASE_POOL_SIZE: String(poolSize),
          AUTO_MIGRATE: 'false',
          RUN_WORKER: 'true',
          WORKER_CONCURRENCY: String(concurrency),
          LOG_LEVEL: 'silent',
          SHUTDOWN_TIMEOUT_MS: '2000',
          AUTH_SECRET: authSecret,
          OPENAI_API_KEY: 'bench-key',
          OPENAI_BASE_URL: stepwiseGate.url,
          AI_PROVIDER: 'openai',
        }),
      );
    }
    const relay = servers[0]!;
    const auth = await signUpOverHttp(relay.url);

    // Through Stepwise: send all, follow each reply over SSE; the gate holds the model
    // requests until every reply's job has called the model and every client is subscribed.
    const sendStarted = performance.now();
    let t0 = 0;
    const subscribed: Promise<void>[] = [];
    const sent: number[] = [];
    const stepwiseDone = Array.from({ length: replies }, async (): Promise<ReplyTiming> => {
      const response = await fetch(`${relay.url}/trpc/chat.send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.token}` },
        body: JSON.stringify({ json: { content: 'Talk to me', idempotencyKey: randomUUID() } }),
      });
      if (!response.ok) throw new Error(`chat.send answered ${response.status}`);
      const { generationId } = (await response.json()).result.data.json as {
        generationId: string;
      };
      sent.push(performance.now() - sendStarted);
      const timing = newTiming();
      let text = '';
      await new Promise<void>((resolve, reject) => {
        const connection = openSse(subscriptionUrl(relay.url, 'chat.stream', { generationId }), {
          agent,
          token: auth.token,
          onEvent: (event) => {
            if (event.event === 'serialized-error') reject(new Error(event.data));
            if (event.event !== undefined) return;
            const data = (JSON.parse(event.data) as { json: { type: string; text?: string } }).json;
            if (data.type === 'delta' && data.text) {
              track(timing, performance.now() - t0);
              text += data.text;
            } else if (data.type === 'end' || data.type === 'error') {
              finish(timing, text, expected);
              connection.close();
              resolve();
            }
          },
        });
        connections.push(connection);
        subscribed.push(connection.first);
        connection.first.catch(reject);
      });
      return timing;
    });
    await within(60_000, 'replies to reach the model', async () => {
      await stepwiseGate.arrived(replies);
      while (subscribed.length < replies) await new Promise((r) => setTimeout(r, 10));
      await Promise.all(subscribed);
    });
    const setupMs = performance.now() - sendStarted;
    const cpu = () => ({
      servers: servers.map((server) => server.cpuSeconds()),
      postgres: postgresBackendCpuSeconds(databaseName),
      bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    });
    const cpuBefore = cpu();
    t0 = performance.now();
    stepwiseGate.open();
    const stepwise = await within(60_000, 'Stepwise replies', () => Promise.all(stepwiseDone));
    const cpuAfter = cpu();
    const cpuSeconds = {
      servers: cpuAfter.servers.map((s, i) => s - cpuBefore.servers[i]!),
      postgres: cpuAfter.postgres - cpuBefore.postgres,
      bench: cpuAfter.bench - cpuBefore.bench,
    };

    // Reference: the same replies read straight from the mock (through a gate of their own).
    const sdk = createOpenAIClient(
      resolveAiConfig({ apiKey: 'bench-key', baseUrl: directGate.url, provider: 'openai' }),
    );
    let d0 = 0;
    const directDone = Array.from({ length: replies }, async (): Promise<ReplyTiming> => {
      const timing = newTiming();
      const stream = await sdk.chat.completions.create({
        model: 'bench',
        stream: true,
        messages: [{ role: 'user', content: 'Talk to me' }],
      });
      let text = '';
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content;
        if (!piece) continue;
        track(timing, performance.now() - d0);
        text += piece;
      }
      finish(timing, text, expected);
      return timing;
    });
    await within(30_000, 'direct requests to reach the mock', () => directGate.arrived(replies));
    d0 = performance.now();
    directGate.open();
    const direct = await within(60_000, 'direct replies', () => Promise.all(directDone));

    return {
      database: database.kind,
      replies,
      tokens,
      tokenDelayMs,
      instances,
      concurrency,
      poolSize,
      setupMs,
      cpuSeconds,
      cores: availableParallelism(),
      sentMax: Math.max(...sent),
      rows: [
        [
          `mock → Stepwise (${instances} × worker ${concurrency}) → chat.stream SSE`,
          summarize(stepwise),
        ],
        ['mock → openai SDK, direct (reference)', summarize(direct)],
      ] as const,
    };
  } finally {
    for (const c of connections) c.close();
    agent.destroy();
    for (const server of servers) await server.stop();
    await stepwiseGate.close();
    await directGate.close();
    await mock.close();
    await database.drop();
  }
}

const newTiming = (): ReplyTiming => ({ first: 0, last: 0, tokens: 0, events: 0, complete: false });

function track(timing: ReplyTiming, at: number) {
  if (timing.events === 0) timing.first = at;
  timing.last = at;
  timing.events++;
}

function finish(timing: ReplyTiming, text: string, expected: string) {
  timing.tokens = text.split(' ').length - 1;
  timing.complete = text === expected;
}

async function within<T>(ms: number, what: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function summarize(timings: ReplyTiming[]) {
  const firsts = timings.map((t) => t.first).sort((a, b) => a - b);
  const lasts = timings.map((t) => t.last).sort((a, b) => a - b);
  const tokens = timings.reduce((sum, t) => sum + t.tokens, 0);
  const wall = lasts.at(-1)!;
  return {
    complete: timings.filter((t) => t.complete).length,
    tokens,
    events: timings.reduce((sum, t) => sum + t.events, 0),
    wallMs: wall,
    tokensPerSecond: tokens / (wall / 1000),
    firstP50: percentile(firsts, 50),
    firstP99: percentile(firsts, 99),
    lastP50: percentile(lasts, 50),
    lastP99: percentile(lasts, 99),
  };
}

export function printRelay(r: Awaited<ReturnType<typeof benchRelay>>) {
  console.log(
    `\nrelay throughput: ${r.replies} concurrent chat replies × ${r.tokens} tokens, mock model streaming ${r.tokenDelayMs ? `a token every ${r.tokenDelayMs} ms` : 'as fast as read'} (${r.instances} worker-enabled Stepwise processes, WORKER_CONCURRENCY=${r.concurrency}, DATABASE_POOL_SIZE=${r.poolSize}; clients all on the first)`,
  );
  console.log(
    '| path | complete replies | tokens | SSE/SDK events | tokens/s | first token p50 / p99 | last token p50 / p99 | all done |\n|---|---|---|---|---|---|---|---|',
  );
  for (const [name, s] of r.rows) {
    console.log(
      `| ${name} | ${s.complete}/${r.replies} | ${s.tokens} | ${s.events} | ${Math.round(s.tokensPerSecond)} | ${fmt(s.firstP50)} / ${fmt(s.firstP99)} | ${fmt(s.lastP50)} / ${fmt(s.lastP99)} | ${fmt(s.wallMs)} |`,
    );
  }
  const [through, bare] = [r.rows[0][1], r.rows[1][1]];
  console.log(
    `Stepwise relays ${Math.round(through.tokensPerSecond)} tokens/s = ${(through.tokensPerSecond / bare.tokensPerSecond).toFixed(2)} of the direct read. Times from the gate opening; before it, ${r.replies} chat.send answered by ${fmt(r.sentMax)} and all replies at the model and subscribed by ${fmt(r.setupMs)}`,
  );
  const c = r.cpuSeconds;
  const share = (seconds: number) => `${seconds.toFixed(2)} s`;
  console.log(
    `CPU while Stepwise streamed (${(through.wallMs / 1000).toFixed(2)} s × ${r.cores} cores = ${((through.wallMs / 1000) * r.cores).toFixed(2)} s available): ${c.servers.map((s, i) => `instance ${i + 1}${i === 0 ? ' (relay + worker)' : ' (worker)'} ${share(s)}`).join(', ')}, Postgres backends ${share(c.postgres)}, bench process (mock + clients) ${share(c.bench)}`,
  );
}
