import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- At most one next occurrence per completed recurring task: completing twice, or
    -- completing again after reopening, never creates a second one.
    CREATE UNIQUE INDEX tasks_recurrence_parent_idx ON tasks (recurrence_parent_id)
      WHERE recurrence_parent_id IS NOT NULL;

    -- Keyset pagination of task.list for each sort (the due and created sorts already have
    -- tasks_user_due_idx and tasks_user_created_idx).
    CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id);
    CREATE INDEX tasks_user_title_idx ON tasks (user_id, title, id);
    CREATE INDEX tasks_user_position_idx ON tasks (user_id, position, id);
    -- Per-week aggregates of a goal (plan.weeks, task.stats) and its completion counts.
    CREATE INDEX tasks_goal_week_idx ON tasks (goal_id, week) INCLUDE (completed_at, effort_minutes)
      WHERE goal_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS tasks_recurrence_parent_idx, tasks_user_priority_idx,
      tasks_user_title_idx, tasks_user_position_idx, tasks_goal_week_idx;
  `.execute(db);
}
