import { randomBytes, randomUUID } from 'node:crypto';
import { examplePlan, planSteps, startMockOpenAI } from '@stepwise/ai/testing';
import { createStepwiseClient, type StepwiseClient } from '@stepwise/client';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { createBenchDatabase } from './bench-database.js';
import { startStepwiseProcess } from './child-process.js';

const ACTIONS = ['signIn', 'generate', 'setComplete', 'getGoal', 'listTasks', 'chat'] as const;
type Action = (typeof ACTIONS)[number];
/** Relative frequency of each action in the mix. */
const WEIGHTS: Record<Action, number> = {
  signIn: 5,
  generate: 10,
  setComplete: 30,
  getGoal: 20,
  listTasks: 15,
  chat: 20,
};

/**
 * A bounded mixed workload on loopback: virtual users sign in, generate plans with the mock
 * model (watching them over SSE), complete tasks, read goals, list tasks and chat (streaming
 * the replies), for `seconds`. Reports errors, the server's memory in the first and last
 * 20 s, and its database connections before and after.
 */
/** The server's DATABASE_POOL_SIZE (graphile-worker shares the pool). */
const POOL_SIZE = 20;

export async function benchSoak(
  options: { seconds?: number; users?: number; warmupSeconds?: number } = {},
) {
  const seconds = options.seconds ?? 60;
  // The same load runs this long first, unmeasured: V8's heap and the pools grow to their
  // working size in the first seconds, which is not a leak.
  const warmupSeconds = options.warmupSeconds ?? 20;
  const users = options.users ?? 16;
  const plan = examplePlan({ weeks: 2, tasksPerDay: 2, effortMinutes: 20 });
  const mock = await startMockOpenAI({
    respond: (body) =>
      body.tools
        ? { kind: 'stream', chunks: Array.from({ length: 30 }, (_, i) => `word${i} `), delayMs: 2 }
        : planSteps.streamJson(plan, { chunkSize: 200 }),
  });
  const database = await createBenchDatabase();
  const server = await startStepwiseProcess({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    AUTH_SECRET: randomBytes(24).toString('hex'),
    OPENAI_API_KEY: 'soak-key',
    OPENAI_BASE_URL: mock.url,
    AI_PROVIDER: 'openai',
    RUN_WORKER: 'true',
    WORKER_CONCURRENCY: '8',
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    // Every virtual user signs in from 127.0.0.1: lift the per-IP and per-account limits.
    SIGNIN_MAX_PER_IP: '1000000',
    SIGNIN_MAX_PER_ACCOUNT: '1000000',
  });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const connections = async () =>
    Number(
      (
        await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
      ).rows[0]?.n,
    );
  const idleInTransaction = async () =>
    Number(
      (
        await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        )
      ).rows[0]?.n,
    );

  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  const errors: string[] = [];
  const rss: { t: number; bytes: number }[] = [];
  try {
    // Each virtual user: an account with a generated plan to work on.
    const vus = await Promise.all(
      Array.from({ length: users }, async () => {
        const email = `soak-${randomBytes(5).toString('hex')}@example.test`;
        let token: string | undefined;
        const client = createStepwiseClient({
          url: server.url,
          getToken: () => token,
          EventSource,
        });
        ({ token } = await client.auth.signUp.mutate({
          email,
          password: 'soak-password',
          name: 'Soak',
        }));
        const { goalId, generationId } = await client.plan.generate.mutate({
          goal: 'Soak test goal',
          durationWeeks: 2,
        });
        await follow(client, 'plan', generationId);
        const goal = await client.goal.get.query({ goalId });
        return {
          client,
          email,
          goalId,
          taskIds: goal.tasks.map((t) => t.id),
          setToken: (t: string) => (token = t),
        };
      }),
    );
    const connectionsBefore = await connections();

    const started = Date.now() + warmupSeconds * 1_000;
    const deadline = started + seconds * 1_000;
    // The pool grows to its working size during the warm-up; a leak shows as growth after it.
    let connectionsAtStart = connectionsBefore;
    const atStart = setTimeout(() => {
      void connections().then((n) => {
        connectionsAtStart = n;
      });
    }, warmupSeconds * 1_000);
    const sampler = setInterval(
      () => rss.push({ t: (Date.now() - started) / 1000, bytes: server.memory().rss }),
      1_000,
    );
    const total = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
    const pick = (): Action => {
      let r = Math.random() * total;
      for (const action of ACTIONS) {
        r -= WEIGHTS[action];
        if (r < 0) return action;
      }
      return 'getGoal';
    };
    await Promise.all(
      vus.map(async (vu) => {
        while (Date.now() < deadline) {
          const action = pick();
          try {
            await run(vu, action);
            counts[action]++;
          } catch (error) {
            errors.push(`${action}: ${(error as Error).message}`);
          }
        }
      }),
    );
    clearInterval(sampler);
    clearTimeout(atStart);
    // Let in-flight jobs finish, then compare connections with the pool at rest.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const connectionsAfter = await connections();
    const stuck = await idleInTransaction();

    const window = (from: number, to: number) => {
      const xs = rss.filter((s) => s.t >= from && s.t < to).map((s) => s.bytes);
      return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    };
    const trend = Array.from({ length: Math.ceil(seconds / 10) }, (_, i) =>
      window(i * 10, i * 10 + 10),
    );
    const first = window(0, 20);
    const last = window(seconds - 20, seconds + 1);
    return {
      seconds,
      warmupSeconds,
      users,
      counts,
      requests: Object.values(counts).reduce((a, b) => a + b, 0),
      errors,
      rssFirst: first,
      rssLast: last,
      growth: (last - first) / first,
      trend,
      connectionsBefore,
      connectionsAtStart,
      connectionsAfter,
      /** What the server may hold: its pool, plus the hub's LISTEN connection. */
      connectionBound: POOL_SIZE + 1,
      stuck,
    };
  } finally {
    await admin.end();
    await server.stop();
    await mock.close();
    await database.drop();
  }

  async function run(
    vu: {
      client: StepwiseClient;
      email: string;
      goalId: string;
      taskIds: string[];
      setToken(t: string): void;
    },
    action: Action,
  ) {
    const { client } = vu;
    switch (action) {
      case 'signIn': {
        const { token } = await client.auth.signIn.mutate({
          email: vu.email,
          password: 'soak-password',
        });
        vu.setToken(token);
        return;
      }
      case 'generate': {
        const { generationId } = await client.plan.generate.mutate({
          goal: 'Another soak goal',
          durationWeeks: 2,
        });
        const last = await follow(client, 'plan', generationId);
        if (last !== 'completed') throw new Error(`generation ended ${last}`);
        return;
      }
      case 'setComplete': {
        const taskId = vu.taskIds[Math.floor(Math.random() * vu.taskIds.length)]!;
        await client.task.setComplete.mutate({ taskId, completed: Math.random() < 0.5 });
        return;
      }
      case 'getGoal':
        await client.goal.get.query({ goalId: vu.goalId });
        return;
      case 'listTasks':
        await client.task.list.query({ goalId: vu.goalId, status: 'open', limit: 20 });
        return;
      case 'chat': {
        const sent = await client.chat.send.mutate({
          goalId: vu.goalId,
          content: 'What is next?',
          idempotencyKey: randomUUID(),
        });
        const last = await follow(client, 'chat', sent.generationId);
        if (last !== 'end') throw new Error(`reply ended ${last}`);
        return;
      }
    }
  }
}

/** Follows a plan or chat stream to its terminal event; resolves with that event's type. */
function follow(
  client: StepwiseClient,
  kind: 'plan' | 'chat',
  generationId: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} stream: no terminal event in 30 s`)),
      30_000,
    );
    const done = (type: string) => {
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(type);
    };
    const sub =
      kind === 'plan'
        ? client.plan.progress.subscribe(
            { generationId },
            {
              onData: ({ data }) =>
                (data.type === 'completed' || data.type === 'failed') && done(data.type),
              onError: reject,
            },
          )
        : client.chat.stream.subscribe(
            { generationId },
            {
              onData: ({ data }) =>
                (data.type === 'end' || data.type === 'error') && done(data.type),
              onError: reject,
            },
          );
  });
}

export function printSoak(r: Awaited<ReturnType<typeof benchSoak>>) {
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `\nsustained mixed load (${r.seconds} s measured after ${r.warmupSeconds} s of the same load, ${r.users} virtual users, server in its own process)`,
  );
  console.log('| measure | value |\n|---|---|');
  console.log(
    `| operations completed | ${r.requests} (${Object.entries(r.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}) |`,
  );
  console.log(
    `| operations per second | ${(r.requests / (r.seconds + r.warmupSeconds)).toFixed(0)} |`,
  );
  console.log(`| errors | ${r.errors.length} |`);
  console.log(
    `| server RSS, mean of first 20 s → last 20 s | ${mib(r.rssFirst)} → ${mib(r.rssLast)} (${(r.growth * 100).toFixed(1)} %) |`,
  );
  console.log(
    `| database connections: before load → start of measured 60 s → after | ${r.connectionsBefore} → ${r.connectionsAtStart} → ${r.connectionsAfter} (bound: pool ${r.connectionBound - 1} + 1 LISTEN; idle in transaction: ${r.stuck}) |`,
  );
  console.log(
    `| server RSS by 10 s | ${r.trend.map((b) => (b / 1024 / 1024).toFixed(0)).join(' → ')} MiB |`,
  );
  for (const error of r.errors.slice(0, 5)) console.log(`  error: ${error}`);
}
