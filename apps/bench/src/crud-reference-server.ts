import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TPlan } from '@stepwise/ai/schema';
import pg from 'pg';
import { planTaskRows } from './bench-plans.js';

const DATE_OID = 1082;

// What Stepwise's `goal.get` answers (the goal, its current plan version without the
// snapshot, its tasks with the fields a plan view shows), built as JSON by Postgres.
const GOAL_VIEW_SQL = `
SELECT json_build_object(
  'id', g.id, 'title', g.title, 'status', g.status, 'requirements', g.requirements,
  'failure', CASE WHEN g.failure_code IS NULL THEN NULL
    ELSE json_build_object('code', g.failure_code, 'message', coalesce(g.failure_message, '')) END,
  'createdAt', g.created_at, 'updatedAt', g.updated_at,
  'plan', (SELECT json_build_object('id', pv.id, 'version', pv.version, 'source', pv.source,
      'title', pv.title, 'summary', pv.summary, 'generationId', pv.generation_id,
      'createdAt', pv.created_at)
    FROM plan_versions pv WHERE pv.goal_id = g.id AND pv.is_current),
  'tasks', coalesce((SELECT json_agg(json_build_object('id', t.id, 'week', t.week, 'day', t.day,
      'title', t.title, 'notes', t.notes, 'category', t.category,
      'effortMinutes', t.effort_minutes,
      'priority', (ARRAY['low', 'medium', 'high', 'urgent'])[t.priority + 1], 'tags', t.tags,
      'startDate', t.start_date, 'dueDate', t.due_date, 'dueTime', t.due_time,
      'reminderMinutes', t.reminder_minutes, 'recurrence', t.recurrence,
      'completedAt', t.completed_at, 'position', t.position) ORDER BY t.week, t.position)
    FROM tasks t WHERE t.goal_id = g.id), '[]')
) AS goal
FROM goals g WHERE g.id = $1 AND g.user_id = $2`;

const COMPLETE_SQL = `UPDATE tasks SET completed_at = now()
  WHERE id = $1 AND user_id = $2 AND completed_at IS NULL RETURNING *`;
const REOPEN_SQL = `UPDATE tasks SET completed_at = NULL
  WHERE id = $1 AND user_id = $2 AND completed_at IS NOT NULL RETURNING *`;
const TASK_SQL = 'SELECT * FROM tasks WHERE id = $1 AND user_id = $2';

const TASK_COLUMNS = [
  'user_id',
  'goal_id',
  'plan_version_id',
  'task_key',
  'week',
  'day',
  'title',
  'notes',
  'category',
  'effort_minutes',
  'start_date',
  'due_date',
  'position',
  'completed_at',
] as const;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function uuid(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new HttpError(400, 'bad id');
  return value;
}

async function readJson(req: http.IncomingMessage): Promise<{ json?: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The SQL of the CRUD scenarios written by hand on a `pg` pool, as the bare reference runs
 * it (also behind the tRPC-only reference): same statements and effects as Stepwise's.
 */
export function referenceQueries(pool: pg.Pool, userId: string) {
  async function getGoal(goalId: string) {
    const { rows } = await pool.query(GOAL_VIEW_SQL, [goalId, userId]);
    if (!rows[0]) throw new HttpError(404, 'goal not found');
    return rows[0].goal;
  }

  async function setComplete(taskId: string, completed: boolean) {
    const { rows } = await pool.query(completed ? COMPLETE_SQL : REOPEN_SQL, [taskId, userId]);
    const task = rows[0] ?? (await pool.query(TASK_SQL, [taskId, userId])).rows[0];
    if (!task) throw new HttpError(404, 'task not found');
    return { task, next: null };
  }

  async function restore(goalId: string, version: number) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT id FROM goals WHERE id = $1 FOR UPDATE', [goalId]);
      const source = await client.query<{ plan: TPlan }>(
        'SELECT plan FROM plan_versions WHERE goal_id = $1 AND user_id = $2 AND version = $3',
        [goalId, userId, version],
      );
      const plan = source.rows[0]?.plan;
      if (!plan) throw new HttpError(404, 'plan version not found');
      await client.query(
        'UPDATE plan_versions SET is_current = false WHERE goal_id = $1 AND is_current = true',
        [goalId],
      );
      const inserted = await client.query(
        `INSERT INTO plan_versions
           (goal_id, user_id, version, is_current, source, title, summary, plan)
         VALUES ($1, $2,
           (SELECT coalesce(max(version), 0) + 1 FROM plan_versions WHERE goal_id = $1),
           true, 'restored', $3, $4, $5)
         RETURNING *`,
        [goalId, userId, plan.title, `Restored from version ${version}`, plan],
      );
      const planVersion = inserted.rows[0];
      const deleted = await client.query<{ task_key: string; completed_at: Date | null }>(
        'DELETE FROM tasks WHERE goal_id = $1 AND task_key IS NOT NULL RETURNING task_key, completed_at',
        [goalId],
      );
      const completedAt = new Map<string, Date>();
      for (const row of deleted.rows) {
        if (row.completed_at) completedAt.set(row.task_key, row.completed_at);
      }
      const rows = planTaskRows(plan);
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (const task of rows) {
        const base = values.length;
        values.push(
          userId,
          goalId,
          planVersion.id,
          task.taskKey,
          task.week,
          task.day,
          task.title,
          task.notes,
          task.category,
          task.effortMinutes,
          task.date,
          task.date,
          task.position,
          completedAt.get(task.taskKey) ?? null,
        );
        tuples.push(`(${TASK_COLUMNS.map((_, i) => `$${base + i + 1}`).join(', ')})`);
      }
      const tasks = await client.query(
        `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`,
        values,
      );
      await client.query('COMMIT');
      return { planVersion, tasks: tasks.rows.sort((a, b) => a.position - b.position) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return { getGoal, setComplete, restore };
}

/** A pool whose `date` columns stay strings (as Stepwise's). */
export function referencePool(databaseUrl: string, poolSize: number, applicationName: string) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    application_name: applicationName,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID
          ? (value: string) => value
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {});
  return pool;
}

/**
 * The reference of the CRUD benchmark: a bare `node:http` + `pg` server answering the same
 * HTTP requests as Stepwise's `goal.get`, `task.setComplete` and `plan.restore` with the
 * same SQL effects written by hand, and the same response envelope (`{result:{data:{json}}}`,
 * plain JSON.stringify of the rows). It knows the one bench user's bearer token (an in-memory
 * comparison, no session query). No framework, no validation library, no serializer.
 */
export async function startReferenceServer(input: {
  databaseUrl: string;
  poolSize: number;
  token: string;
  userId: string;
}) {
  const pool = referencePool(input.databaseUrl, input.poolSize, 'bench-reference');
  const bearer = `Bearer ${input.token}`;

  const { getGoal, setComplete, restore } = referenceQueries(pool, input.userId);

  async function handle(req: http.IncomingMessage): Promise<unknown> {
    if (req.headers.authorization !== bearer) throw new HttpError(401, 'sign in first');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/trpc/goal.get') {
      const { json } = JSON.parse(url.searchParams.get('input') ?? '{}');
      return getGoal(uuid(json?.goalId));
    }
    if (req.method === 'POST' && url.pathname === '/trpc/task.setComplete') {
      const { json } = await readJson(req);
      if (typeof json?.completed !== 'boolean') throw new HttpError(400, 'completed?');
      return setComplete(uuid(json.taskId), json.completed);
    }
    if (req.method === 'POST' && url.pathname === '/trpc/plan.restore') {
      const { json } = await readJson(req);
      if (!Number.isInteger(json?.version)) throw new HttpError(400, 'version?');
      return restore(uuid(json?.goalId), json?.version as number);
    }
    throw new HttpError(404, 'not found');
  }

  const server = http.createServer((req, res) => {
    handle(req).then(
      (data) => {
        const body = JSON.stringify({ result: { data: { json: data } } });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const message = error instanceof Error ? error.message : String(error);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message } }));
      },
    );
  });
  return serveOnLoopback(server, pool);
}

/** Listens on a free loopback port; `close()` ends open connections, then the pool. */
export async function serveOnLoopback(server: http.Server, pool: pg.Pool) {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}
