import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger, loadEnv, startServer } from '@stepwise/server';
import pg from 'pg';
import { createBenchDatabase } from './bench-database.js';
import { signUpOverHttp } from './bench-helpers.js';
import { fmt, summarize } from './stats.js';

/**
 * `plan.generate` must answer without waiting for the model: it validates, writes goal +
 * generation + `queued` event + job in one transaction, and returns. Measures its server
 * time (Server-Timing) and round trip over loopback, next to the same transaction run
 * through bare `pg` in the same process and database.
 */
export async function benchPlanGenerate(options: { requests?: number; warmup?: number } = {}) {
  const requests = options.requests ?? 400;
  const warmup = options.warmup ?? 50;
  const database = await createBenchDatabase();
  const env = loadEnv({
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: database.url,
    RUN_WORKER: 'false',
    LOG_LEVEL: 'silent',
    AUTH_SECRET: randomBytes(24).toString('hex'),
  });
  const server = await startServer({ env, logger: createLogger(env) });
  try {
    const { token, userId } = await signUpOverHttp(server.url);
    const body = JSON.stringify({
      json: { goal: 'Run a half marathon', durationWeeks: 10, dailyHours: 1, level: 'beginner' },
    });

    const serverMs: number[] = [];
    const roundTripMs: number[] = [];
    for (let i = 0; i < warmup + requests; i++) {
      const started = performance.now();
      const response = await fetch(`${server.url}/trpc/plan.generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      await response.arrayBuffer();
      const elapsed = performance.now() - started;
      if (response.status !== 200) throw new Error(`plan.generate answered ${response.status}`);
      if (i < warmup) continue;
      roundTripMs.push(elapsed);
      serverMs.push(Number(/dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]));
    }

    // Reference: the same transaction through a bare pg client.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const bareMs: number[] = [];
    for (let i = 0; i < warmup + requests; i++) {
      const started = performance.now();
      await client.query('BEGIN');
      const goal = await client.query<{ id: string }>(
        `INSERT INTO goals (user_id, title, requirements) VALUES ($1, $2, $3) RETURNING id`,
        [
          userId,
          'Run a half marathon',
          JSON.stringify({ goal: 'Run a half marathon', durationWeeks: 10 }),
        ],
      );
      const generation = await client.query<{ id: string }>(
        `INSERT INTO generations (user_id, goal_id, kind, input) VALUES ($1, $2, 'plan', $3) RETURNING id`,
        [userId, goal.rows[0]!.id, JSON.stringify({ goal: 'Run a half marathon' })],
      );
      const generationId = generation.rows[0]!.id;
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [generationId]);
      const event = await client.query<{ id: string }>(
        `INSERT INTO stream_events (generation_id, type, data) VALUES ($1, 'queued', $2) RETURNING id`,
        [generationId, JSON.stringify({ type: 'queued', generationId })],
      );
      await client.query('SELECT pg_notify($1, $2)', [
        'stepwise_stream_events',
        JSON.stringify({ id: event.rows[0]!.id, generationId }),
      ]);
      await client.query(
        `SELECT graphile_worker.add_job('generate-plan', $1::json, job_key => $2, max_attempts => 3)`,
        [JSON.stringify({ generationId }), `generation:${randomUUID()}`],
      );
      await client.query('COMMIT');
      if (i >= warmup) bareMs.push(performance.now() - started);
    }
    await client.end();

    const server_ = summarize(serverMs);
    const roundTrip = summarize(roundTripMs);
    const bare = summarize(bareMs);
    return {
      database: database.kind,
      requests,
      rows: [
        ['plan.generate, server time', server_],
        ['plan.generate, loopback round trip', roundTrip],
        ['same transaction, bare pg', bare],
      ] as const,
      ratio: server_.median / bare.median,
    };
  } finally {
    await server.close();
    await database.drop();
  }
}

export function printPlanGenerate(result: Awaited<ReturnType<typeof benchPlanGenerate>>) {
  console.log(`\nplan.generate (${result.requests} sequential requests, ${result.database})`);
  console.log('| measure | median | p99 |\n|---|---|---|');
  for (const [name, s] of result.rows)
    console.log(`| ${name} | ${fmt(s.median)} | ${fmt(s.p99)} |`);
  console.log(`server time / bare transaction (median): ${result.ratio.toFixed(2)}x`);
}
