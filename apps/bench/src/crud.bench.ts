import { randomBytes } from 'node:crypto';
import { createDb } from '@stepwise/db';
import { createLogger, loadEnv, startServer } from '@stepwise/server';
import pg from 'pg';
import { createBenchDatabase } from './bench-database.js';
import { signUpOverHttp } from './bench-helpers.js';
import { makePlan, seedGoalWithPlan } from './bench-plans.js';
import { type ProfileSummary, printProfileSummary, withCpuProfile } from './cpu-profile.js';
import { findFastApiPython, startFastApiReference } from './crud-fastapi-reference.js';
import { startReferenceServer } from './crud-reference-server.js';
import { startTrpcReferenceServer } from './crud-trpc-reference-server.js';
import { type LoadRequest, type LoadResult, loadTool, runLoad } from './load-generator.js';

export const CRUD_SCENARIOS = ['read', 'write', 'store'] as const;
export type CrudScenario = (typeof CRUD_SCENARIOS)[number];
export const CRUD_TARGETS = ['stepwise', 'trpc', 'bare', 'fastapi'] as const;
export type CrudTarget = (typeof CRUD_TARGETS)[number];

const LABELS: Record<CrudScenario, string> = {
  read: '`goal.get`, goal with 40 tasks',
  write: '`task.setComplete`, alternating true/false',
  store: '`plan.restore`, stores a 250-task plan',
};
/** Stepwise/bare throughput asked for (#12 for reads and writes, #6 for the store). */
const TARGET_RATIO: Record<CrudScenario, number> = { read: 0.6, write: 0.6, store: 0.9 };
/** Stepwise/FastAPI throughput asked for (#12). */
const FASTAPI_TARGET = 5;

const POOL_SIZE = 10;
/** Tasks each connection toggles in the write scenario (its own, so no two race on a row). */
const TASKS_PER_CONNECTION = 20;
const STORE_TASKS = { weeks: 10, daysPerWeek: 5, tasksPerDay: 5 }; // 250
const storeTotal = STORE_TASKS.weeks * STORE_TASKS.daysPerWeek * STORE_TASKS.tasksPerDay;
const STORE_COMPLETED_EVERY = 5; // every 5th task of a stored plan is done: 50 kept per restore

const list = <T extends string>(value: string | undefined, all: readonly T[]): T[] => {
  const picked = (value ?? '').split(',').filter((v): v is T => all.includes(v as T));
  return picked.length > 0 ? picked : [...all];
};

/**
 * Throughput of the real HTTP stack next to a bare `node:http` + `pg` server doing the same SQL
 * (and, for the framework's share, that SQL behind tRPC's own Node adapter and serializer) and
 * the FastAPI + SQLAlchemy stack Stepwise replaces (reads and writes; when Debian's packages
 * for it are installed), in the same run, on the same database, driven by the same load
 * generator (wrk when installed): reading a goal with 40 tasks, completing and reopening
 * tasks, and storing a 250-task plan (`plan.restore`).
 *
 * `CRUD_BENCH_SCENARIOS=read,write,store`, `CRUD_BENCH_TARGETS=stepwise,trpc,bare,fastapi` and
 * `CRUD_BENCH_DURATION` (seconds) and `CRUD_BENCH_ROUNDS` (default 2, alternating the order of the
 * targets) narrow or lengthen a run; `CRUD_BENCH_CPU_PROFILE=<dir>` records a V8
 * CPU profile of this process (the servers) during each measured run, writes it to `<dir>`
 * and prints its top self time by module and function.
 */
export async function benchCrud(
  options: {
    connections?: number;
    durationS?: number;
    warmupS?: number;
    scenarios?: CrudScenario[];
    targets?: CrudTarget[];
    rounds?: number;
  } = {},
) {
  const connections = options.connections ?? 10;
  const durationS = options.durationS ?? Number(process.env.CRUD_BENCH_DURATION ?? 5);
  const warmupS = options.warmupS ?? 1;
  const scenarios = options.scenarios ?? list(process.env.CRUD_BENCH_SCENARIOS, CRUD_SCENARIOS);
  const targets = options.targets ?? list(process.env.CRUD_BENCH_TARGETS, CRUD_TARGETS);
  const rounds = options.rounds ?? Number(process.env.CRUD_BENCH_ROUNDS ?? 2);

  const database = await createBenchDatabase();
  const env = loadEnv({
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    RUN_WORKER: 'false',
    LOG_LEVEL: 'silent',
    AUTH_SECRET: randomBytes(24).toString('hex'),
  });
  const server = await startServer({ env, logger: createLogger(env) });
  const seed = createDb({ url: database.url, max: 2 });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  let reference: Awaited<ReturnType<typeof startReferenceServer>> | undefined;
  let trpcReference: Awaited<ReturnType<typeof startTrpcReferenceServer>> | undefined;
  let fastApi: Awaited<ReturnType<typeof startFastApiReference>> | undefined;
  const problems: string[] = [];
  const notes: string[] = [];
  try {
    // One user, signed up over HTTP like a client; every request carries its bearer token.
    const { token, userId } = await signUpOverHttp(server.url);
    reference = await startReferenceServer({
      databaseUrl: database.url,
      poolSize: POOL_SIZE,
      token,
      userId,
    });
    trpcReference = await startTrpcReferenceServer({
      databaseUrl: database.url,
      poolSize: POOL_SIZE,
      token,
      userId,
    });
    if (targets.includes('fastapi')) {
      const python = findFastApiPython();
      if ('python' in python) {
        fastApi = await startFastApiReference({
          python: python.python,
          databaseUrl: database.url,
          token,
          userId,
        });
      } else {
        notes.push(`FastAPI reference skipped: ${python.missing}`);
      }
    }
    const urls: Partial<Record<CrudTarget, string>> = {
      stepwise: server.url,
      trpc: trpcReference.url,
      bare: reference.url,
      fastapi: fastApi?.url,
    };
    const runnable = targets.filter((target) => urls[target] !== undefined);
    const headers = { authorization: `Bearer ${token}` };

    // Seed through the db package: plan versions stored by `savePlanVersion` in a transaction.
    const readGoal = await seedGoalWithPlan(seed.db, {
      userId,
      plan: makePlan({ weeks: 4, daysPerWeek: 5, tasksPerDay: 2 }),
    });
    const writeTasks: string[] = [];
    while (writeTasks.length < connections * TASKS_PER_CONNECTION) {
      const goal = await seedGoalWithPlan(seed.db, {
        userId,
        plan: makePlan({ weeks: 4, daysPerWeek: 5, tasksPerDay: 2 }),
      });
      writeTasks.push(...goal.taskIds);
    }
    const storeGoals: string[] = [];
    for (let i = 0; i < connections; i++) {
      const goal = await seedGoalWithPlan(seed.db, { userId, plan: makePlan(STORE_TASKS) });
      storeGoals.push(goal.goalId);
    }
    // Writes go through `seed`'s pool, closed before the row counters are read (a live backend
    // may hold its statistics back for seconds); `admin` only reads, vacuums and checkpoints.
    await seed.pool.query(
      `UPDATE tasks SET completed_at = now() WHERE goal_id = ANY($1) AND position % ${STORE_COMPLETED_EVERY} = 0`,
      [storeGoals],
    );

    const json = (value: unknown) => JSON.stringify({ json: value });
    const sequences: Record<CrudScenario, LoadRequest[][]> = {
      read: [
        [
          {
            method: 'GET',
            path: `/trpc/goal.get?input=${encodeURIComponent(json({ goalId: readGoal.goalId }))}`,
          },
        ],
      ],
      // Connection i completes its 20 tasks, then reopens them, and so on: every request flips
      // a row (the pool is reset to open before each run).
      write: Array.from({ length: connections }, (_, i) => {
        const own = writeTasks.slice(i * TASKS_PER_CONNECTION, (i + 1) * TASKS_PER_CONNECTION);
        return [true, false].flatMap((completed) =>
          own.map((taskId) => ({
            method: 'POST' as const,
            path: '/trpc/task.setComplete',
            body: json({ taskId, completed }),
          })),
        );
      }),
      // Connection i restores version 1 of its own goal (restores of one goal queue on its row).
      store: storeGoals.map((goalId) => [
        { method: 'POST' as const, path: '/trpc/plan.restore', body: json({ goalId, version: 1 }) },
      ]),
    };

    // The FastAPI reference has REST paths of its own for the same requests (no store).
    const fastApiSequences: Partial<Record<CrudScenario, LoadRequest[][]>> = {
      read: [[{ method: 'GET', path: `/goals/${readGoal.goalId}` }]],
      write: sequences.write.map((own) =>
        own.map((request) => {
          const { json: input } = JSON.parse(request.body!) as {
            json: { taskId: string; completed: boolean };
          };
          return {
            method: 'POST' as const,
            path: `/tasks/${input.taskId}/complete`,
            body: JSON.stringify({ completed: input.completed }),
          };
        }),
      ),
    };
    const sequenceOf = (target: CrudTarget, scenario: CrudScenario) =>
      target === 'fastapi' ? fastApiSequences[scenario] : sequences[scenario];

    // Each answers like it should, with the same fields, before we measure it.
    const shapes: string[] = [];
    const answerBytes: Partial<Record<CrudTarget, number>> = {};
    for (const target of runnable) {
      const response = await fetch(`${urls[target]}${sequenceOf(target, 'read')![0]![0]!.path}`, {
        headers,
      });
      const text = await response.text();
      const body = JSON.parse(text);
      const goal = target === 'fastapi' ? body : body.result?.data?.json;
      answerBytes[target] = Buffer.byteLength(text);
      if (response.status !== 200 || goal?.tasks?.length !== 40) {
        throw new Error(
          `${target} goal.get answered ${response.status} with ${goal?.tasks?.length}`,
        );
      }
      const shape = `goal ${Object.keys(goal).sort()}, plan ${Object.keys(goal.plan).sort()}, task ${Object.keys(goal.tasks[0]).sort()}`;
      shapes.push(shape);
      if (shape !== shapes[0]) problems.push(`read: ${target} answers other fields: ${shape}`);
    }
    const withSnapshot = await fetch(
      `${server.url}/trpc/goal.get?input=${encodeURIComponent(json({ goalId: readGoal.goalId, withSnapshot: true }))}`,
      { headers },
    ).then((response) => response.text());
    notes.push(
      `read: goal.get answer ${Object.entries(answerBytes)
        .map(([target, bytes]) => `${target} ${bytes} B`)
        .join(', ')}; Stepwise with withSnapshot: true ${Buffer.byteLength(withSnapshot)} B`,
    );

    // Requests still in flight when the load generator stopped run to their end (≤ 5 s).
    const quiesce = async () => {
      for (let i = 0; i < 50; i++) {
        const busy = await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND state IS NOT NULL AND state <> 'idle'`,
        );
        if (Number(busy.rows[0]!.n) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // Every autocannon run starts each connection's sequence from the top: tasks open again.
    let resetRows = 0;
    const reopenWriteTasks = async () => {
      await quiesce();
      const reset = await seed.pool.query(
        'UPDATE tasks SET completed_at = NULL WHERE id = ANY($1) AND completed_at IS NOT NULL',
        [writeTasks],
      );
      resetRows += reset.rowCount ?? 0;
    };
    const countVersions = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            'SELECT count(*) AS n FROM plan_versions WHERE goal_id = ANY($1)',
            [storeGoals],
          )
        ).rows[0]!.n,
      );
    const versionsBefore = await countVersions();
    const okResponses: Record<CrudScenario, number> = { read: 0, write: 0, store: 0 };

    const profileDir = process.env.CRUD_BENCH_CPU_PROFILE;
    const profiles: { title: string; summary: ProfileSummary }[] = [];
    const rows: {
      scenario: CrudScenario;
      results: Partial<Record<CrudTarget, LoadResult>>;
    }[] = [];
    for (const scenario of scenarios) {
      const runs: Partial<Record<CrudTarget, LoadResult[]>> = {};
      // The VM's speed drifts: each round measures every target, the next round in reverse
      // order, and a target's figure sums its rounds.
      const order = Array.from({ length: rounds }, (_, round) =>
        round % 2 === 0 ? runnable : [...runnable].reverse(),
      ).flat();
      for (const target of order) {
        const sequence = sequenceOf(target, scenario);
        if (!sequence) continue;
        // Same starting point for both: nothing in flight, dead rows of the previous run
        // vacuumed, a fresh checkpoint.
        await quiesce();
        await admin.query('VACUUM (ANALYZE) tasks, plan_versions, goals');
        await admin.query('CHECKPOINT').catch(() => {}); // needs superuser or pg_checkpoint
        if (scenario === 'write') await reopenWriteTasks();
        const load = { url: urls[target]!, connections, headers, sequences: sequence };
        const warmup = await runLoad({ ...load, durationS: warmupS });
        if (scenario === 'write') await reopenWriteTasks();
        const measure = () => runLoad({ ...load, durationS });
        let result: LoadResult;
        if (profileDir) {
          const profiled = await withCpuProfile(profileDir, `crud-${scenario}-${target}`, measure);
          result = profiled.result;
          profiles.push({ title: `${target} ${scenario} (${profiled.file})`, ...profiled });
        } else {
          result = await measure();
        }
        okResponses[scenario] += warmup.ok + result.ok;
        for (const [name, r] of [
          ['warm-up', warmup],
          ['run', result],
        ] as const) {
          if (r.non2xx + r.errors + r.timeouts > 0) {
            problems.push(
              `${target} ${scenario} ${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`,
            );
          }
        }
        runs[target] = [...(runs[target] ?? []), result];
      }
      const results: Partial<Record<CrudTarget, LoadResult>> = {};
      for (const [target, list] of Object.entries(runs) as [CrudTarget, LoadResult[]][]) {
        results[target] = combineRuns(list);
      }
      rows.push({ scenario, results });
    }

    await quiesce();

    // The store scenario really stores: one version per request, the goal's 250 tasks all on
    // its current version, completion kept.
    const checks: string[] = [];
    let versionsCreated = 0;
    if (scenarios.includes('store')) {
      versionsCreated = (await countVersions()) - versionsBefore;
      const { rows: goals } = await admin.query<{
        tasks: string;
        on_current: string;
        done: string;
      }>(
        `SELECT count(t.id) AS tasks,
                count(t.id) FILTER (WHERE t.plan_version_id = pv.id) AS on_current,
                count(t.completed_at) AS done
         FROM goals g
         JOIN plan_versions pv ON pv.goal_id = g.id AND pv.is_current
         LEFT JOIN tasks t ON t.goal_id = g.id
         WHERE g.id = ANY($1) GROUP BY g.id`,
        [storeGoals],
      );
      const total = storeTotal;
      const done = Math.ceil(total / STORE_COMPLETED_EVERY);
      const good = goals.filter(
        (g) =>
          Number(g.tasks) === total && Number(g.on_current) === total && Number(g.done) === done,
      );
      checks.push(
        `store: ${versionsCreated} plan versions created for ${okResponses.store} 2xx responses; ` +
          `${good.length}/${goals.length} goals hold ${total} tasks on their current version with ${done} still completed`,
      );
      if (good.length !== goals.length) problems.push('store: a goal lost tasks or completion');
      if (versionsCreated < okResponses.store) {
        problems.push('store: fewer plan versions than successful restores');
      }
    }

    await reference.close();
    reference = undefined;
    await trpcReference.close();
    trpcReference = undefined;
    await fastApi?.stop();
    fastApi = undefined;
    await server.close();
    await seed.close();

    // Row counters once every other backend has exited (and flushed its statistics).
    const counters = async () =>
      (
        await admin.query<{ ins: string; upd: string }>(
          `SELECT n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables WHERE relname = 'tasks'`,
        )
      ).rows[0]!;
    let stats = await counters();
    for (let i = 0; i < 15; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await counters();
      if (next.ins === stats.ins && next.upd === stats.upd && i > 0) break;
      stats = next;
    }
    const seededInserts = 40 + writeTasks.length + connections * storeTotal;
    const seededUpdates = connections * Math.ceil(storeTotal / STORE_COMPLETED_EVERY) + resetRows;
    if (scenarios.includes('store') && versionsCreated > 0) {
      const perRestore = (Number(stats.ins) - seededInserts) / versionsCreated;
      checks.push(`store: ${perRestore.toFixed(1)} task rows inserted per stored plan (pg_stat)`);
      if (Math.abs(perRestore - storeTotal) > 0.5) {
        problems.push(`store: not ${storeTotal} task rows per request`);
      }
    }
    if (scenarios.includes('write') && okResponses.write > 0) {
      const updated = Number(stats.upd) - seededUpdates;
      checks.push(
        `write: ${updated} task rows updated for ${okResponses.write} 2xx responses (pg_stat; ` +
          `up to ${connections} per run may land after the load generator stopped)`,
      );
      if (updated < okResponses.write * 0.99) problems.push('write: requests without a write');
    }

    return {
      database: database.kind,
      tool: loadTool(),
      connections,
      durationS,
      warmupS,
      rounds,
      rows: rows.map(({ scenario, results }) => ({
        scenario,
        label: LABELS[scenario],
        target: TARGET_RATIO[scenario],
        stepwise: results.stepwise,
        bare: results.bare,
        trpc: results.trpc,
        fastapi: results.fastapi,
        fastApiRatio:
          results.stepwise && results.fastapi
            ? results.stepwise.reqPerSec / results.fastapi.reqPerSec
            : undefined,
        trpcRatio:
          results.trpc && results.bare
            ? results.trpc.reqPerSec / results.bare.reqPerSec
            : undefined,
        ratio:
          results.stepwise && results.bare
            ? results.stepwise.reqPerSec / results.bare.reqPerSec
            : undefined,
      })),
      checks,
      notes,
      problems,
      profiles,
    };
  } finally {
    await reference?.close();
    await trpcReference?.close();
    await fastApi?.stop();
    await server.close();
    await seed.close();
    await admin.end();
    await database.drop();
  }
}

export function printCrud(result: Awaited<ReturnType<typeof benchCrud>>) {
  console.log(
    `\nCRUD over HTTP (${result.tool}, ${result.connections} connections, ${result.rounds} rounds of ${result.durationS} s after a ${result.warmupS} s warm-up per target, alternating order, ${result.database}; pool of ${POOL_SIZE} each)`,
  );
  console.log(
    '| scenario | Stepwise req/s | Stepwise p99 | bare pg req/s | bare pg p99 | Stepwise/bare | target | FastAPI req/s | Stepwise/FastAPI | target | tRPC adapter + bare SQL, req/s | that/bare |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const rps = (r?: LoadResult) => (r ? r.reqPerSec.toFixed(0) : '–');
  const p99 = (r?: LoadResult) => (r ? `${r.latency.p99} ms` : '–');
  const ratio = (value?: number) => (value === undefined ? '–' : value.toFixed(2));
  const verdict = (value: number | undefined, target: number) =>
    value === undefined ? '–' : `≥ ${target}: ${value >= target ? 'met' : 'missed'}`;
  for (const row of result.rows) {
    console.log(
      `| ${row.label} | ${rps(row.stepwise)} | ${p99(row.stepwise)} | ${rps(row.bare)} | ${p99(row.bare)} | ${ratio(row.ratio)} | ${verdict(row.ratio, row.target)} | ${rps(row.fastapi)} | ${ratio(row.fastApiRatio)} | ${verdict(row.fastApiRatio, FASTAPI_TARGET)} | ${rps(row.trpc)} | ${ratio(row.trpcRatio)} |`,
    );
  }
  for (const check of result.checks) console.log(`check ${check}`);
  for (const note of result.notes) console.log(`note ${note}`);
  for (const problem of result.problems) console.log(`PROBLEM ${problem}`);
  for (const profile of result.profiles) printProfileSummary(profile.title, profile.summary);
  if (result.problems.length > 0) process.exitCode = 1;
}

/** Runs of one target as one: requests over total time; the worst p99 and max. */
function combineRuns(runs: LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  const durationS = sum((r) => r.durationS);
  const ok = sum((r) => r.ok);
  return {
    tool: runs[0]!.tool,
    durationS,
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    reqPerSec: ok / durationS,
    latency: {
      mean: sum((r) => r.latency.mean * r.ok) / Math.max(1, ok),
      p50: Math.max(...runs.map((r) => r.latency.p50)),
      p99: Math.max(...runs.map((r) => r.latency.p99)),
      max: Math.max(...runs.map((r) => r.latency.max)),
    },
  };
}
