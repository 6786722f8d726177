import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../schema.js';
import { insertUser } from '../testing/factories.js';
import { insertGoalRow, insertTaskRows } from '../testing/task-factories.js';
import { type TestDatabase, useTestDatabase } from '../testing/test-database.js';
import { PRIORITIES, type TaskDto } from './dto.js';
import type { Page } from './goal-list.queries.js';
import {
  listTasks,
  type SortDirection,
  setTaskCompleted,
  TASK_SORTS,
  type TaskFilters,
  type TaskSort,
} from './tasks.queries.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await useTestDatabase();
});
afterAll(() => database.close());

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
const randomWord = () => WORDS[Math.floor(Math.random() * WORDS.length)]!;
const randomDay = () => `2025-03-${String(1 + Math.floor(Math.random() * 9)).padStart(2, '0')}`;

/** A random task row: duplicate sort keys on purpose, so the id tie-break is exercised. */
function randomTask(index: number) {
  return {
    title: `${randomWord()} ${index}`,
    priority: Math.floor(Math.random() * 4),
    due_date: Math.random() < 0.25 ? null : randomDay(),
    position: Math.floor(Math.random() * 5),
    created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(Math.random() * 6))),
  };
}

/** The order Postgres gives (nulls last asc, first desc; id as the tie-break). */
function compareBy(sort: TaskSort, direction: SortDirection) {
  const key = (t: TaskDto): string | number | null => {
    switch (sort) {
      case 'due':
        return t.dueDate;
      case 'priority':
        return PRIORITIES.indexOf(t.priority);
      case 'created':
        return t.createdAt.getTime();
      case 'title':
        return t.title;
      case 'position':
        return t.position;
    }
  };
  const sign = direction === 'asc' ? 1 : -1;
  return (a: TaskDto, b: TaskDto) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return sign;
      if (kb === null) return -sign;
      return (ka < kb ? -1 : 1) * sign;
    }
    return (a.id < b.id ? -1 : 1) * sign;
  };
}

async function listAll(
  userId: string,
  options: { sort: TaskSort; direction: SortDirection; filters?: TaskFilters; limit?: number },
) {
  const seen: TaskDto[] = [];
  let cursor: string | null = null;
  do {
    const page = await listTasks(database.db, {
      userId,
      limit: options.limit ?? 4,
      cursor,
      ...options,
    });
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('listTasks', () => {
  it('sorts by every key in both directions, paging without duplicates or gaps', async () => {
    const user = await insertUser(database.db);
    const rows = await insertTaskRows(
      database.db,
      user.id,
      Array.from({ length: 23 }, (_, i) => randomTask(i)),
    );
    const all = await listAll(user.id, { sort: 'created', direction: 'asc', limit: 100 });
    expect(all).toHaveLength(rows.length);
    for (const sort of TASK_SORTS) {
      for (const direction of ['asc', 'desc'] as const) {
        const paged = await listAll(user.id, { sort, direction, limit: 4 });
        const expected = [...all].sort(compareBy(sort, direction));
        expect(
          paged.map((t) => t.id),
          `${sort} ${direction}`,
        ).toEqual(expected.map((t) => t.id));
      }
    }
  });

  it('stays stable while rows are inserted concurrently: no duplicate, no skip', async () => {
    for (const sort of TASK_SORTS) {
      for (const direction of ['asc', 'desc'] as const) {
        const user = await insertUser(database.db);
        const original = await insertTaskRows(
          database.db,
          user.id,
          Array.from({ length: 20 }, (_, i) => randomTask(i)),
        );
        const seen: TaskDto[] = [];
        let cursor: string | null = null;
        let round = 0;
        do {
          // Each page is read while a writer inserts rows that sort anywhere in the list.
          const [page]: [Page<TaskDto>, unknown] = await Promise.all([
            listTasks(database.db, { userId: user.id, sort, direction, limit: 3, cursor }),
            insertTaskRows(database.db, user.id, [
              randomTask(100 + round),
              randomTask(200 + round),
            ]),
          ]);
          seen.push(...page.items);
          cursor = page.nextCursor;
          round++;
        } while (cursor);
        const ids = seen.map((t) => t.id);
        expect(new Set(ids).size, `${sort} ${direction} duplicates`).toBe(ids.length);
        const seenIds = new Set(ids);
        for (const row of original)
          expect(seenIds.has(row.id), `${sort} ${direction} skip`).toBe(true);
        expect(seen, `${sort} ${direction} order`).toEqual(
          [...seen].sort(compareBy(sort, direction)),
        );
      }
    }
  });

  it('applies every filter', async () => {
    const user = await insertUser(database.db);
    const other = await insertUser(database.db);
    const goal = await insertGoalRow(database.db, user.id);
    const [a, b, c, d, e] = await insertTaskRows(database.db, user.id, [
      {
        title: 'Buy running shoes',
        notes: '',
        tags: ['run', 'gear'],
        priority: 3,
        due_date: '2025-03-01',
        goal_id: goal.id,
        week: 1,
      },
      {
        title: 'Long run',
        notes: 'easy pace 100%',
        tags: ['run'],
        priority: 1,
        due_date: '2025-03-05',
        goal_id: goal.id,
        week: 2,
        completed_at: new Date(),
      },
      {
        title: 'Read a book',
        notes: 'about running_form',
        tags: ['read'],
        priority: 0,
        due_date: '2025-03-10',
      },
      { title: 'Tax return', notes: '', tags: [], priority: 2, due_date: null },
      {
        title: 'Stretch',
        notes: 'hips',
        tags: ['gear', 'mobility'],
        priority: 2,
        due_date: '2025-03-03',
      },
    ]);
    await insertTaskRows(database.db, other.id, [
      { title: 'Long run of another user', tags: ['run'] },
    ]);
    const ids = async (filters: TaskFilters) =>
      (await listAll(user.id, { sort: 'title', direction: 'asc', filters }))
        .map((t) => t.id)
        .sort();
    const sorted = (...tasks: { id: string }[]) => tasks.map((t) => t.id).sort();

    expect(await ids({})).toEqual(sorted(a!, b!, c!, d!, e!));
    expect(await ids({ goalId: goal.id })).toEqual(sorted(a!, b!));
    expect(await ids({ goalId: null })).toEqual(sorted(c!, d!, e!));
    expect(await ids({ status: 'open' })).toEqual(sorted(a!, c!, d!, e!));
    expect(await ids({ status: 'done' })).toEqual(sorted(b!));
    expect(await ids({ status: 'all' })).toEqual(sorted(a!, b!, c!, d!, e!));
    expect(await ids({ priorities: ['high', 'urgent'] })).toEqual(sorted(a!, d!, e!));
    expect(await ids({ tagsAny: ['read', 'mobility'] })).toEqual(sorted(c!, e!));
    expect(await ids({ tagsAll: ['run', 'gear'] })).toEqual(sorted(a!));
    expect(await ids({ tagsAll: ['gear'] })).toEqual(sorted(a!, e!));
    expect(await ids({ search: 'RUN' })).toEqual(sorted(a!, b!, c!));
    expect(await ids({ search: 'hips' })).toEqual(sorted(e!));
    // LIKE wildcards in the search text are literal characters.
    expect(await ids({ search: '100%' })).toEqual(sorted(b!));
    expect(await ids({ search: 'g_s' })).toEqual([]); // would match 'running shoes' as a wildcard
    expect(await ids({ search: 'running_form' })).toEqual(sorted(c!));
    expect(await ids({ dueFrom: '2025-03-03' })).toEqual(sorted(b!, c!, e!));
    expect(await ids({ dueTo: '2025-03-03' })).toEqual(sorted(a!, e!));
    expect(await ids({ dueFrom: '2025-03-02', dueTo: '2025-03-06' })).toEqual(sorted(b!, e!));
    expect(await ids({ week: 2 })).toEqual(sorted(b!));
    expect(await ids({ status: 'open', tagsAny: ['run', 'gear'], priorities: ['urgent'] })).toEqual(
      sorted(a!),
    );
  });

  it('rejects a cursor from another sort or a forged one', async () => {
    const user = await insertUser(database.db);
    await insertTaskRows(database.db, user.id, [{}, {}, {}]);
    const page = await listTasks(database.db, { userId: user.id, sort: 'title', limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await expect(
      listTasks(database.db, { userId: user.id, sort: 'due', limit: 1, cursor: page.nextCursor }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      listTasks(database.db, { userId: user.id, limit: 1, cursor: 'not-a-cursor' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('list query plans', () => {
  it('serves the main list queries from indexes (EXPLAIN)', async () => {
    // Enough rows over many users that the planner prefers the indexes, as in production.
    const user = await insertUser(database.db);
    await sql`
      INSERT INTO users (id, name, email)
        SELECT 'explain-' || g || '-' || ${user.id}, 'n', 'explain-' || g || '-' || ${user.id} || '@x.test'
        FROM generate_series(1, 200) g`.execute(database.db);
    await sql`
      INSERT INTO tasks (user_id, title, notes, priority, due_date, position, tags)
        SELECT 'explain-' || (g % 200 + 1) || '-' || ${user.id}, 'task ' || md5(g::text), '',
          g % 4, DATE '2025-01-01' + (g % 300), g % 50, ARRAY['t' || (g % 20)]
        FROM generate_series(1, 20000) g`.execute(database.db);
    await sql`ANALYZE tasks`.execute(database.db);
    const userId = `explain-7-${user.id}`;
    const captured: { sql: string; parameters: readonly unknown[] }[] = [];
    const logging = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: database.pool }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    const cases: [string, Parameters<typeof listTasks>[1]][] = [
      ['due asc, first page', { userId, sort: 'due', limit: 50 }],
      ['priority desc, open', { userId, sort: 'priority', limit: 50, filters: { status: 'open' } }],
      ['created desc', { userId, sort: 'created', limit: 50 }],
      ['title asc', { userId, sort: 'title', limit: 50 }],
      ['search', { userId, sort: 'due', limit: 50, filters: { search: 'abc1' } }],
      ['tags any-of', { userId, sort: 'due', limit: 50, filters: { tagsAny: ['t3'] } }],
    ];
    const plans: string[] = [];
    for (const [name, args] of cases) {
      const first = await listTasks(logging, args);
      if (first.nextCursor) await listTasks(logging, { ...args, cursor: first.nextCursor });
      for (const query of captured.splice(0)) {
        const { rows } = await database.pool.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${query.sql}`,
          query.parameters as unknown[],
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        plans.push(`-- ${name}\n${query.sql}\n${plan}`);
        expect(plan, name).toMatch(/Index|Bitmap/);
        expect(plan, name).not.toMatch(/Seq Scan on tasks/);
      }
    }
    if (process.env.PRINT_EXPLAIN) console.log(plans.join('\n\n'));
    await sql`DELETE FROM users WHERE id LIKE ${`explain-%-${user.id}`}`.execute(database.db);
  });
});

describe('setTaskCompleted', () => {
  it('completes and reopens a task in place (a HOT update: no task index is touched)', async () => {
    const user = await insertUser(database.db);
    const goal = await insertGoalRow(database.db, user.id);
    const [task] = await insertTaskRows(database.db, user.id, [
      { goal_id: goal.id, tags: ['a'], title: 'Indexed in every way' },
    ]);
    for (const completed of [true, false]) {
      const hot = await database.db.transaction().execute(async (trx) => {
        // This backend's counts not yet flushed to pg_stat: read them around the update.
        const counts = async () =>
          (
            await sql<{ updated: number; hot: number }>`
              SELECT pg_stat_get_xact_tuples_updated('tasks'::regclass)::int AS updated,
                     pg_stat_get_xact_tuples_hot_updated('tasks'::regclass)::int AS hot`.execute(
              trx,
            )
          ).rows[0]!;
        const before = await counts();
        const result = await setTaskCompleted(trx, {
          userId: user.id,
          taskId: task!.id,
          completed,
        });
        expect(result?.changed).toBe(true);
        const after = await counts();
        return { updated: after.updated - before.updated, hot: after.hot - before.hot };
      });
      expect(hot).toEqual({ updated: 1, hot: 1 });
    }
  });
});
