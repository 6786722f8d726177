import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { appendStreamEvent, createDb, type Database, type Kysely } from '@stepwise/db';
import pg from 'pg';
import { createBenchDatabase } from './bench-database.js';
import { mib, signUpOverHttp, sleep } from './bench-helpers.js';
import {
  type BenchProcess,
  startReferenceSseProcess,
  startStepwiseProcess,
} from './child-process.js';
import {
  mapLimit,
  openSse,
  type SseConnection,
  type SseEvent,
  subscriptionUrl,
  wallNow,
} from './sse-client.js';
import { fmt, percentile } from './stats.js';

/**
 * Subscriptions at scale, against one Stepwise server in its own process (RUN_WORKER=false):
 *
 * 1. `idle` SSE subscriptions to `plan.progress`, one per open generation, held `holdMs`:
 *    the server's resident memory before and after, per subscription, next to a bare
 *    `node:http` SSE server (own process too) holding as many connections.
 * 2. Fan-out: `fanOut` subscribers of one generation; this process appends `events` events to
 *    it (`appendStreamEvent`, as a worker does), each stamped with its send time; every
 *    subscriber stamps its arrival. Same machine, same clock.
 * 3. Database work during the fan-out: `xact_commit` of the server's database before and after
 *    (minus this process's own statements), and reads of `stream_events`.
 */
export async function benchSubscriptions(
  options: {
    idle?: number;
    holdMs?: number;
    fanOut?: number;
    events?: number;
    intervalMs?: number;
    poolSize?: number;
  } = {},
) {
  const idle = options.idle ?? 10_000;
  const holdMs = options.holdMs ?? 10_000;
  const fanOut = options.fanOut ?? 1_000;
  const events = options.events ?? 20;
  const intervalMs = options.intervalMs ?? 200;
  const poolSize = options.poolSize ?? 10;

  const database = await createBenchDatabase();
  const databaseName = new URL(database.url).pathname.slice(1);
  const adminUrl = new URL(database.url);
  adminUrl.pathname = '/postgres';
  // Reads pg_stat_database from another database, so its own transactions are not counted.
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  admin.on('error', (error) => console.error('statistics connection failed:', error.message));
  await admin.connect();
  // This process's one connection to the server's database: rows, appends, table stats.
  const bench = createDb({ url: database.url, max: 1, applicationName: 'stepwise-bench' });
  // No pool limit: every subscription is its own socket.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  let server: BenchProcess | undefined;
  let reference: BenchProcess | undefined;
  const connections: SseConnection[] = [];
  const closeAll = () => {
    for (const c of connections.splice(0)) c.close();
  };

  try {
    server = await startStepwiseProcess({
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(poolSize),
      AUTO_MIGRATE: 'false',
      RUN_WORKER: 'false',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '2000',
      AUTH_SECRET: randomBytes(24).toString('hex'),
    });
    const stepwise = server;
    const { token, userId } = await signUpOverHttp(stepwise.url);
    const generationIds = await insertOpenGenerations(bench.db, userId, idle + 1);
    const fanOutId = generationIds.pop()!;

    // 1. Idle subscriptions: Stepwise, then the bare reference.
    const stepwiseIdle = await holdIdleSubscriptions({
      target: stepwise,
      count: idle,
      holdMs,
      url: (i) =>
        subscriptionUrl(stepwise.url, 'plan.progress', { generationId: generationIds[i] }),
      token,
      agent,
      connections,
    });
    closeAll();

    // 2. Fan-out subscribers (opened now; their opening queries must settle in the statistics
    // before the baseline is read, so the reference run happens in between).
    const stepwiseFanOut = await openFanOut({
      url: subscriptionUrl(stepwise.url, 'plan.progress', { generationId: fanOutId }),
      count: fanOut,
      token,
      agent,
      connections,
    });
    const fanOutOpenedAt = performance.now();

    reference = await startReferenceSseProcess({ DATABASE_URL: database.url });
    const bare = reference;
    const referenceConnections: SseConnection[] = [];
    const referenceIdle = await holdIdleSubscriptions({
      target: bare,
      count: idle,
      holdMs,
      url: (i) => `${bare.url}/sub/${i}`,
      agent,
      connections: referenceConnections,
    });
    for (const c of referenceConnections) c.close();

    const fanOutEvents = (run: number) =>
      appendStreamEvent(bench.db, {
        generationId: fanOutId,
        type: 'status',
        data: { type: 'status', phase: 'generating', attempt: run + 1, sentAt: wallNow() },
      });
    const fanOutOptions = { events, intervalMs };

    // Postgres flushes a backend's statistics at most once a second while it is busy, and
    // within 10 s once it is idle: wait that long after the subscribers' opening queries.
    await sleep(Math.max(0, 12_000 - (performance.now() - fanOutOpenedAt)));
    const stat = (sql: string, params: unknown[] = []) =>
      bench.pool.query(sql, params).then((r) => r.rows[0] as Record<string, string>);
    const dbCommits = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
            [databaseName],
          )
        ).rows[0]!.n,
      );
    const scanStats = `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans
      FROM pg_stat_user_tables WHERE relname = 'stream_events'`;
    // Bench statements from here to the final count, all on `bench`'s one connection:
    // the scans read, `events` appends, the flush below (the last scans read is not yet
    // flushed when the final count is read).
    await stat('SELECT pg_stat_force_next_flush()');
    const scansBefore = Number((await stat(scanStats)).scans);
    const commitsBefore = await dbCommits();

    const stepwiseDelivery = await stepwiseFanOut.run(fanOutEvents, fanOutOptions);
    closeAll();

    // The server's backends flush their statistics when they exit: stop it, wait for them.
    const rssAfterFanOut = stepwise.memory().rss;
    await stepwise.stop();
    server = undefined;
    for (let waited = 0; waited < 5_000; waited += 50) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND application_name <> 'stepwise-bench'`,
        [databaseName],
      );
      if (rows[0]!.n === 0) break;
      await sleep(50);
    }
    await sleep(200);
    await stat('SELECT pg_stat_force_next_flush()');
    const scansAfter = Number((await stat(scanStats)).scans);
    const commitsAfter = await dbCommits();
    const benchOwn = 1 + events + 1;
    const serverTransactions = commitsAfter - commitsBefore - benchOwn;

    // 4. The same fan-out through the bare reference: LISTEN, serialize once, write to each.
    const listening = await fetch(`${bare.url}/listen`);
    if (!listening.ok) throw new Error(`reference /listen answered ${listening.status}`);
    const referenceFanOut = await openFanOut({
      url: `${bare.url}/sub/${fanOutId}`,
      count: fanOut,
      agent,
      connections,
    });
    const referenceDelivery = await referenceFanOut.run(fanOutEvents, fanOutOptions);
    closeAll();
    await bare.stop();
    reference = undefined;

    return {
      database: database.kind,
      poolSize,
      idle,
      holdMs,
      stepwise: stepwiseIdle,
      reference: referenceIdle,
      fanOut: {
        subscribers: fanOut,
        events,
        intervalMs,
        stepwise: stepwiseDelivery,
        reference: referenceDelivery,
        rssAfter: rssAfterFanOut,
      },
      queries: {
        commitsDelta: commitsAfter - commitsBefore,
        benchOwn,
        serverTransactions,
        perEvent: serverTransactions / events,
        streamEventScans: scansAfter - scansBefore,
      },
    };
  } finally {
    closeAll();
    await server?.stop();
    await reference?.stop();
    agent.destroy();
    await bench.close();
    await admin.end();
    await database.drop();
  }
}

/** `count` generations of one user, status `running`, each with its `queued` event. */
async function insertOpenGenerations(db: Kysely<Database>, userId: string, count: number) {
  const goal = await db
    .insertInto('goals')
    .values({ user_id: userId, title: 'Bench goal', requirements: JSON.stringify({}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const size = Math.min(1_000, count - start);
    const rows = await db
      .insertInto('generations')
      .values(
        Array.from({ length: size }, () => ({
          user_id: userId,
          goal_id: goal.id,
          kind: 'plan' as const,
          status: 'running' as const,
          input: JSON.stringify({}),
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('stream_events')
      .values(
        rows.map((row) => ({
          generation_id: row.id,
          type: 'queued',
          data: JSON.stringify({ type: 'queued', generationId: row.id, goalId: goal.id }),
        })),
      )
      .execute();
    ids.push(...rows.map((row) => row.id));
  }
  return ids;
}

/**
 * `count` subscribers of one stream, each stamping the arrival of events that carry a
 * `sentAt`. `run` sends `events` events through `send`, at least `intervalMs` apart and each
 * only once the previous one has reached every subscriber (or 3 s passed), so a slow server
 * shows its per-event delivery time rather than a growing queue.
 */
async function openFanOut(input: {
  url: string;
  count: number;
  token?: string;
  agent: http.Agent;
  connections: SseConnection[];
}) {
  const latencies: number[] = [];
  const received = new Array<number>(input.count).fill(0);
  const opened = await mapLimit(Array.from({ length: input.count }), 200, async (_, i) => {
    const connection = openSse(input.url, {
      agent: input.agent,
      ...(input.token ? { token: input.token } : {}),
      onEvent: (event: SseEvent, receivedAt: number) => {
        if (event.event !== undefined) return;
        const sentAt = /"sentAt":([\d.]+)/.exec(event.data)?.[1];
        if (sentAt === undefined) return;
        latencies.push(receivedAt - Number(sentAt));
        received[i]!++;
      },
    });
    input.connections.push(connection);
    return connection.first.then(
      () => true,
      () => false,
    );
  });
  const ready = opened.filter(Boolean).length;
  return {
    async run(
      send: (run: number) => Promise<unknown>,
      options: { events: number; intervalMs: number },
    ) {
      const started = performance.now();
      for (let e = 0; e < options.events; e++) {
        const sentAt = performance.now();
        const due = latencies.length + ready;
        await send(e);
        while (latencies.length < due && performance.now() < sentAt + 3_000) await sleep(5);
        await sleep(Math.max(0, sentAt + options.intervalMs - performance.now()));
      }
      for (
        let waited = 0;
        waited < 3_000 && latencies.length < ready * options.events;
        waited += 20
      )
        await sleep(20);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        ready,
        stillOpen: input.connections.filter((c) => !c.isClosed()).length,
        deliveries: latencies.length,
        expected: ready * options.events,
        fullyServed: received.filter((n) => n === options.events).length,
        seconds: (performance.now() - started) / 1000,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: percentile(sorted, 100),
      };
    },
  };
}

/**
 * Opens `count` SSE subscriptions on `target` (200 at a time) and holds them `holdMs`,
 * reading the target's memory after a warm-up (200 opened and closed), once all are open,
 * and at the end of the hold.
 */
async function holdIdleSubscriptions(input: {
  target: BenchProcess;
  count: number;
  holdMs: number;
  url: (i: number) => string;
  token?: string;
  agent: http.Agent;
  connections: SseConnection[];
}) {
  const { target, count, agent, token, connections } = input;
  const open = (i: number) => {
    const connection = openSse(input.url(i), { agent, ...(token ? { token } : {}) });
    connections.push(connection);
    return connection.first.then(
      () => true,
      () => false,
    );
  };
  const warmup = Math.min(200, count);
  await mapLimit(Array.from({ length: warmup }), 50, (_, i) => open(i));
  for (const c of connections.splice(0)) c.close();
  await sleep(1_000);

  const before = target.memory();
  const started = performance.now();
  const firsts = await mapLimit(Array.from({ length: count }), 200, (_, i) => open(i));
  const openMs = performance.now() - started;
  const afterOpen = target.memory();
  await sleep(input.holdMs);
  const afterHold = target.memory();
  const held = connections.filter((c) => !c.isClosed()).length;
  return {
    count,
    gotFirstEvent: firsts.filter(Boolean).length,
    heldToEnd: held,
    openMs,
    before: before.rss,
    afterOpen: afterOpen.rss,
    afterHold: afterHold.rss,
    peak: afterHold.peak,
    bytesPerSubscription: (afterHold.rss - before.rss) / count,
  };
}

export function printSubscriptions(r: Awaited<ReturnType<typeof benchSubscriptions>>) {
  console.log(
    `\nidle SSE subscriptions (${r.idle} held ${r.holdMs / 1000} s, each server in its own process, ${r.database}, DATABASE_POOL_SIZE=${r.poolSize})`,
  );
  console.log(
    '| server | got first event | held to end | open time | RSS before | RSS all open | RSS after hold | peak | bytes / subscription |\n|---|---|---|---|---|---|---|---|---|',
  );
  for (const [name, s] of [
    ['Stepwise `plan.progress`', r.stepwise],
    ['bare node:http SSE (reference)', r.reference],
  ] as const) {
    console.log(
      `| ${name} | ${s.gotFirstEvent}/${s.count} | ${s.heldToEnd} | ${(s.openMs / 1000).toFixed(1)} s | ${mib(s.before)} | ${mib(s.afterOpen)} | ${mib(s.afterHold)} | ${mib(s.peak)} | ${Math.round(s.bytesPerSubscription)} |`,
    );
  }
  console.log(
    `Stepwise / reference per subscription: ${(r.stepwise.bytesPerSubscription / r.reference.bytesPerSubscription).toFixed(1)}x; Stepwise RSS with ${r.idle} subscriptions: ${mib(r.stepwise.afterHold)} (target < 1024 MiB)`,
  );
  const f = r.fanOut;
  console.log(
    `\nfan-out: ${f.events} events to ${f.subscribers} subscribers of one generation, appended by this process (appendStreamEvent) at least ${f.intervalMs} ms apart and each once the previous one reached every subscriber`,
  );
  console.log(
    '| server | subscribed | delivered | open at end | p50 | p99 | max | phase time |\n|---|---|---|---|---|---|---|---|',
  );
  for (const [name, d] of [
    ['Stepwise `plan.progress` (hub, NOTIFY)', f.stepwise],
    ['bare node:http + LISTEN, serialized once (reference)', f.reference],
  ] as const) {
    console.log(
      `| ${name} | ${d.ready}/${f.subscribers} | ${d.deliveries}/${d.expected} | ${d.stillOpen} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${fmt(d.max)} | ${d.seconds.toFixed(1)} s |`,
    );
  }
  console.log(
    `Stepwise fan-out p99 ${fmt(f.stepwise.p99)} (target < 100 ms); server RSS after it: ${mib(f.rssAfter)}`,
  );
  const q = r.queries;
  console.log(
    `database during the Stepwise fan-out: ${q.commitsDelta} transactions in its database, ${q.benchOwn} of them this process's appends and statistics reads → ${q.serverTransactions} by the server = ${q.perEvent.toFixed(2)} per event with ${f.subscribers} subscribers (the hub's LISTEN backend commits one per notification it reads); stream_events reads: ${q.streamEventScans}`,
  );
}
