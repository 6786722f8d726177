import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Completing or reopening a task changes completed_at (and updated_at) only. With no
    -- index reading completed_at, and room left on each page, Postgres updates the row in
    -- place (a HOT update) and touches none of the task indexes. The two indexes that read it:
    -- the open-tasks partial index (task.list sorts by due date through tasks_user_due_idx
    -- and filters the few done rows) and the per-week index, whose (goal_id, week) prefix
    -- tasks_goal_position_idx already has.
    DROP INDEX tasks_user_open_due_idx;
    DROP INDEX tasks_goal_week_idx;
    ALTER TABLE tasks SET (fillfactor = 85);

    -- goal.import stores a goal and its plan from another app.
    ALTER TABLE plan_versions DROP CONSTRAINT plan_versions_source_check;
    ALTER TABLE plan_versions ADD CONSTRAINT plan_versions_source_check
      CHECK (source IN ('generated', 'revised', 'restored', 'edited', 'imported'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE plan_versions DROP CONSTRAINT plan_versions_source_check;
    ALTER TABLE plan_versions ADD CONSTRAINT plan_versions_source_check
      CHECK (source IN ('generated', 'revised', 'restored', 'edited'));
    ALTER TABLE tasks RESET (fillfactor);
    CREATE INDEX tasks_user_open_due_idx ON tasks (user_id, due_date) WHERE completed_at IS NULL;
    CREATE INDEX tasks_goal_week_idx ON tasks (goal_id, week) INCLUDE (completed_at, effort_minutes)
      WHERE goal_id IS NOT NULL;
  `.execute(db);
}
