import { randomBytes, randomUUID } from 'node:crypto';
import { createOpenAIClient, resolveAiConfig } from '@stepwise/ai';
import { startMockOpenAI } from '@stepwise/ai/testing';
import { createStepwiseClient } from '@stepwise/client';
import { createLogger, loadEnv, type RunningServer, startServer } from '@stepwise/server';
import { EventSource } from 'eventsource';
import { createBenchDatabase } from './bench-database.js';
import { type BenchProcess, startStepwiseProcess } from './child-process.js';
import { fmt, summarize } from './stats.js';

/**
 * Latency a token gains between the model and the client: the mock model stamps each token as
 * it hands it to the socket; the client stamps it when its `delta` arrives over SSE (after the
 * worker wrote it to the event log and the hub fanned it out). Measured twice: with the server
 * (and its in-process worker) in its own process, as it is deployed, and with mock, server and
 * client sharing this one process. Reference, same run: the same tokens read straight from
 * the mock with the openai SDK.
 */
export async function benchChatStream(
  options: { replies?: number; tokens?: number; delayMs?: number } = {},
) {
  const replies = options.replies ?? 8;
  const tokens = options.tokens ?? 150;
  const delayMs = options.delayMs ?? 3;
  const sentAt = new Map<string, number>();
  const mock = await startMockOpenAI({
    onContentSent: (piece) => sentAt.set(piece, performance.now()),
  });
  const database = await createBenchDatabase();
  const settings = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    AUTH_SECRET: randomBytes(24).toString('hex'),
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: mock.url,
    AI_PROVIDER: 'openai',
  };
  let round = 0;
  const tokenText = (reply: number, i: number) => `‹${round}.${reply}.${i}› `;
  const script = (reply: number) =>
    mock.script({
      kind: 'stream',
      chunks: Array.from({ length: tokens }, (_, i) => tokenText(reply, i)),
      delayMs,
    });

  /** Latencies of every token but the first reply's (warm-up), through the server at `url`. */
  const throughStepwise = async (url: string) => {
    round++;
    let token: string | undefined;
    const client = createStepwiseClient({ url, getToken: () => token, EventSource });
    ({ token } = await client.auth.signUp.mutate({
      email: `bench-${randomBytes(4).toString('hex')}@example.test`,
      password: 'bench-password',
      name: 'Bench',
    }));
    const latencies: number[] = [];
    for (let reply = 0; reply < replies; reply++) {
      script(reply);
      const sent = await client.chat.send.mutate({
        content: 'Talk to me',
        idempotencyKey: randomUUID(),
      });
      await new Promise<void>((resolve, reject) => {
        const sub = client.chat.stream.subscribe(
          { generationId: sent.generationId },
          {
            onData: ({ data }) => {
              const now = performance.now();
              if (data.type === 'delta') {
                for (const piece of data.text.match(/‹[^›]+› /g) ?? []) {
                  const at = sentAt.get(piece);
                  if (at !== undefined && reply > 0) latencies.push(now - at);
                }
              }
              if (data.type === 'end' || data.type === 'error') {
                sub.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
      });
    }
    return latencies;
  };

  let child: BenchProcess | undefined;
  let inProcess: RunningServer | undefined;
  try {
    child = await startStepwiseProcess({ ...settings, RUN_WORKER: 'true' });
    const ownProcess = await throughStepwise(child.url);
    await child.stop();
    child = undefined;

    const env = loadEnv({ ...settings, PORT: '0' });
    inProcess = await startServer({ env, logger: createLogger(env) });
    const oneProcess = await throughStepwise(inProcess.url);
    await inProcess.close();
    inProcess = undefined;

    // Reference: the same stream read directly with the openai SDK, no Stepwise in between.
    round++;
    const direct: number[] = [];
    const sdk = createOpenAIClient(
      resolveAiConfig({ apiKey: 'bench-key', baseUrl: mock.url, provider: 'openai' }),
    );
    for (let reply = 0; reply < replies; reply++) {
      script(reply);
      const stream = await sdk.chat.completions.create({
        model: 'bench',
        stream: true,
        messages: [{ role: 'user', content: 'Talk to me' }],
      });
      for await (const chunk of stream) {
        const now = performance.now();
        const piece = chunk.choices[0]?.delta.content;
        const at = piece ? sentAt.get(piece) : undefined;
        if (at !== undefined && reply > 0) direct.push(now - at);
      }
    }
    const bare = summarize(direct);
    const paths = [
      { label: 'server in its own process', ...added(summarize(ownProcess), bare) },
      { label: 'mock, server and client in one process', ...added(summarize(oneProcess), bare) },
    ];
    return { replies, tokens, delayMs, bare, paths };
  } finally {
    await child?.stop();
    await inProcess?.close();
    await mock.close();
    await database.drop();
  }
}

const added = (through: ReturnType<typeof summarize>, bare: ReturnType<typeof summarize>) => ({
  through,
  addedMedian: through.median - bare.median,
  addedP99: through.p99 - bare.p99,
});

export function printChatStream(r: Awaited<ReturnType<typeof benchChatStream>>) {
  console.log(
    `\nchat token latency, model → client (${r.replies - 1} measured replies × ${r.tokens} tokens, one every ${r.delayMs} ms)`,
  );
  console.log(
    '| path | median | p99 | added by Stepwise, median | added, p99 |\n|---|---|---|---|---|',
  );
  for (const path of r.paths) {
    console.log(
      `| mock model → Stepwise worker → event log → SSE → typed client (${path.label}) | ${fmt(path.through.median)} | ${fmt(path.through.p99)} | ${fmt(path.addedMedian)} | ${fmt(path.addedP99)} |`,
    );
  }
  console.log(
    `| mock model → openai SDK, direct (reference) | ${fmt(r.bare.median)} | ${fmt(r.bare.p99)} | | |`,
  );
}
