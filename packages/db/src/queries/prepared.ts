import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Stands in for argument `i` while the query is built; no real value looks like it. */
const placeholder = (i: number) => `\u0000stepwise-arg-${i}\u0000`;

/**
 * A query built and compiled by Kysely once, then run with new arguments: each call only
 * fills the parameter list. Building a query with nested JSON helpers and compiling it costs
 * more than Postgres takes to answer it, on the hottest paths (`goal.get`, `task.setComplete`).
 *
 * `build` must use its arguments only as values (bound parameters), never to shape the query:
 * it runs once, with placeholders standing in for them. Queries that change shape with their
 * input (optional filters, `is` or `is not`) need one prepared query per shape.
 *
 * @example
 * const taskById = prepared((db, id: string) => db.selectFrom('tasks').selectAll().where('id', '=', id));
 * const rows = await taskById.execute(db, taskId);
 */
export function prepared<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
) {
  let compiled: { query: CompiledQuery<Row>; slots: (number | undefined)[] } | undefined;
  const compile = (db: Kysely<Database>) => {
    const args = Array.from({ length: build.length - 1 }, (_, i) => placeholder(i)) as Args;
    const query = build(db, ...args).compile();
    const slots = query.parameters.map((value) => {
      const i = args.indexOf(value as Args[number]);
      return i === -1 ? undefined : i;
    });
    for (let i = 0; i < args.length; i++) {
      if (!slots.includes(i)) throw new Error(`prepared query: argument ${i} is not a parameter`);
    }
    return { query, slots };
  };
  return {
    async execute(db: Kysely<Database>, ...args: Args): Promise<Row[]> {
      compiled ??= compile(db);
      const { query, slots } = compiled;
      const parameters = slots.map((slot, i) =>
        slot === undefined ? query.parameters[i] : args[slot],
      );
      const result = await db.executeQuery<Row>({ ...query, parameters });
      return result.rows;
    },
  };
}
