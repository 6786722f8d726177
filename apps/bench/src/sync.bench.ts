import { randomBytes } from 'node:crypto';
import { createStepwiseClient, type StepwiseClient } from '@stepwise/client';
import { createDb } from '@stepwise/db';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { createBenchDatabase } from './bench-database.js';
import { signUpOverHttp, sleep } from './bench-helpers.js';
import { type BenchProcess, startStepwiseProcess } from './child-process.js';
import { fmt, percentile } from './stats.js';

const REFERENCE_CHANNEL = 'bench_sync_reference';
/** Tasks the changes rotate over (each change waits for the previous one to arrive). */
const TASKS = 10;
/** A change not seen by then counts as lost. */
const ARRIVAL_TIMEOUT_MS = 2_000;

/** The measured latencies of one path, in ms, with the changes that never arrived. */
interface PathResult {
  latencies: number[];
  lost: number;
}

/**
 * Device to device: device A (a typed client over HTTP) makes `changes` changes, alternating
 * `task.setComplete` (done, then open again) and `task.update` (a new title), one every
 * `intervalMs` once the previous one has arrived; device B (a typed client holding
 * `sync.live` over SSE, through Node's EventSource) stamps each change's arrival. Latency is
 * from the moment A sends the request to B's `onData`, on one clock (both devices are in
 * this process; the server in its own, as deployed, RUN_WORKER=false). Reference floor, in
 * the same run, in alternating rounds: a bare `pg` client running the same UPDATE with a
 * NOTIFY in one statement, and a bare LISTEN client receiving it (Postgres's own notification
 * latency here, the record_change trigger included).
 */
export async function benchSync(
  options: { changes?: number; intervalMs?: number; rounds?: number; warmup?: number } = {},
) {
  const changes = options.changes ?? 200;
  const intervalMs = options.intervalMs ?? 20;
  const rounds = options.rounds ?? 4;
  const warmup = options.warmup ?? 20;
  const perRound = Math.ceil(changes / rounds);

  const database = await createBenchDatabase();
  const bench = createDb({ url: database.url, max: 1, applicationName: 'stepwise-bench' });
  let server: BenchProcess | undefined;
  let listener: pg.Client | undefined;
  let writer: pg.Client | undefined;
  let unsubscribe: (() => void) | undefined;
  try {
    server = await startStepwiseProcess({
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      AUTO_MIGRATE: 'false',
      RUN_WORKER: 'false',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '2000',
      AUTH_SECRET: randomBytes(24).toString('hex'),
    });
    const { url } = server;
    const { token } = await signUpOverHttp(url);
    const deviceA = createStepwiseClient({ url, getToken: () => token });
    const deviceB = createStepwiseClient({ url, getToken: () => token, EventSource });
    const tasks: { id: string }[] = [];
    for (let i = 0; i < TASKS; i++) {
      tasks.push(await deviceA.task.create.mutate({ title: `Bench task ${i}` }));
    }

    // Device B: what it is waiting for, and when A sent it.
    let waiting: { taskId: string; sentAt: number; arrived: (at: number) => void } | undefined;
    await new Promise<void>((resolve, reject) => {
      const sub = deviceB.sync.live.subscribe(undefined, {
        onStarted: () => resolve(),
        onData: ({ data }) => {
          const at = performance.now();
          if (waiting && data.id === waiting.taskId) waiting.arrived(at);
        },
        onError: reject,
      });
      unsubscribe = () => sub.unsubscribe();
    });

    const completed = new Map<string, boolean>();
    /** Device A's own round trip, and how long after A's answer B had the change. */
    const roundTrips: number[] = [];
    const afterAnswer: number[] = [];
    const stepwiseChange = async (i: number) => {
      const task = tasks[i % TASKS]!;
      const arrived = new Promise<number>((resolve) => {
        waiting = { taskId: task.id, sentAt: performance.now(), arrived: resolve };
      });
      const sentAt = waiting!.sentAt;
      const answered = change(deviceA, task.id, i, completed).then(() => performance.now());
      const at = await Promise.race([arrived, sleep(ARRIVAL_TIMEOUT_MS).then(() => undefined)]);
      const answeredAt = await answered;
      waiting = undefined;
      roundTrips.push(answeredAt - sentAt);
      if (at !== undefined) afterAnswer.push(at - answeredAt);
      return at === undefined ? undefined : at - sentAt;
    };

    // The reference: another person's tasks (nobody follows them, so Stepwise stays idle).
    const { userId: otherUser } = await signUpOverHttp(url);
    const referenceTasks = await bench.db
      .insertInto('tasks')
      .values(Array.from({ length: TASKS }, (_, i) => ({ user_id: otherUser, title: `Ref ${i}` })))
      .returning('id')
      .execute();
    listener = new pg.Client({ connectionString: database.url });
    writer = new pg.Client({ connectionString: database.url });
    await Promise.all([listener.connect(), writer.connect()]);
    await listener.query(`LISTEN ${REFERENCE_CHANNEL}`);
    let heard: { id: string; arrived: (at: number) => void } | undefined;
    listener.on('notification', (message) => {
      const at = performance.now();
      if (heard && message.payload === heard.id) heard.arrived(at);
    });
    const referenceWriter = writer;
    const referenceChange = async (i: number) => {
      const id = referenceTasks[i % TASKS]!.id;
      const arrived = new Promise<number>((resolve) => {
        heard = { id, arrived: resolve };
      });
      const sentAt = performance.now();
      await referenceWriter.query(
        `WITH changed AS (UPDATE tasks SET title = $2 WHERE id = $1 RETURNING id)
         SELECT pg_notify('${REFERENCE_CHANNEL}', id::text) FROM changed`,
        [id, `Ref ${i}`],
      );
      const at = await Promise.race([arrived, sleep(ARRIVAL_TIMEOUT_MS).then(() => undefined)]);
      heard = undefined;
      return at === undefined ? undefined : at - sentAt;
    };

    const stepwise: PathResult = { latencies: [], lost: 0 };
    const reference: PathResult = { latencies: [], lost: 0 };
    const run = async (
      path: (i: number) => Promise<number | undefined>,
      result: PathResult | undefined,
      from: number,
      count: number,
    ) => {
      for (let i = from; i < from + count; i++) {
        const started = performance.now();
        const latency = await path(i);
        if (result && latency === undefined) result.lost++;
        else if (result && latency !== undefined) result.latencies.push(latency);
        await sleep(Math.max(0, started + intervalMs - performance.now()));
      }
    };
    await run(stepwiseChange, undefined, 0, warmup);
    await run(referenceChange, undefined, 0, warmup);
    roundTrips.length = 0;
    afterAnswer.length = 0;
    for (let round = 0; round < rounds; round++) {
      const from = warmup + round * perRound;
      await run(stepwiseChange, stepwise, from, perRound);
      await run(referenceChange, reference, from, perRound);
    }
    return {
      database: database.kind,
      changes: perRound * rounds,
      intervalMs,
      rounds,
      stepwise: summarizeLatencies(stepwise),
      reference: summarizeLatencies(reference),
      roundTrip: summarizeLatencies({ latencies: roundTrips, lost: 0 }),
      afterAnswer: summarizeLatencies({ latencies: afterAnswer, lost: 0 }),
    };
  } finally {
    unsubscribe?.();
    await listener?.end().catch(() => {});
    await writer?.end().catch(() => {});
    await server?.stop();
    await bench.close();
    await database.drop();
  }
}

/** Change `i`: even ones complete (or reopen) the task, odd ones rename it. */
async function change(
  client: StepwiseClient,
  taskId: string,
  i: number,
  completed: Map<string, boolean>,
) {
  if (i % 2 === 0) {
    const done = !completed.get(taskId);
    completed.set(taskId, done);
    await client.task.setComplete.mutate({ taskId, completed: done });
  } else {
    await client.task.update.mutate({ taskId, title: `Bench task, change ${i}` });
  }
}

function summarizeLatencies({ latencies, lost }: PathResult) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length,
    lost,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
  };
}

export function printSync(r: Awaited<ReturnType<typeof benchSync>>) {
  console.log(
    `\nsync: a change on device A reaches device B (${r.changes} paced changes, one every ${r.intervalMs} ms at most, ${r.rounds} alternating rounds; server in its own process, ${r.database})`,
  );
  console.log('| path | arrived | lost | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|');
  const row = (name: string, s: ReturnType<typeof summarizeLatencies>) =>
    console.log(
      `| ${name} | ${s.n} | ${s.lost} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`,
    );
  row(
    'Stepwise: `task.setComplete` / `task.update` over HTTP → `sync.live` over SSE (typed clients)',
    r.stepwise,
  );
  row('bare `pg`: UPDATE + NOTIFY in one statement → bare LISTEN client (reference)', r.reference);
  console.log(
    `Stepwise / reference: p50 ${(r.stepwise.p50 / r.reference.p50).toFixed(1)}x, p99 ${(r.stepwise.p99 / r.reference.p99).toFixed(1)}x; target p99 < 100 ms with nothing lost: ${r.stepwise.p99 < 100 && r.stepwise.lost === 0 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `device A's own mutation round trip: p50 ${fmt(r.roundTrip.p50)}, p99 ${fmt(r.roundTrip.p99)}; B had the change after A's answer by p50 ${fmt(r.afterAnswer.p50)}, p99 ${fmt(r.afterAnswer.p99)} (negative: before it)`,
  );
}
