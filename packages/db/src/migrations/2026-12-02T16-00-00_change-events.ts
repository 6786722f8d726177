import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Each person's IANA time zone: "today", overdue, due times and reminders are local to it.
    ALTER TABLE users ADD COLUMN timezone text NOT NULL DEFAULT 'UTC';

    -- An optional time of day on the due date, and how long before it to remind (null: never).
    ALTER TABLE tasks
      ADD COLUMN due_time time,
      ADD COLUMN reminder_minutes integer DEFAULT 30
        CHECK (reminder_minutes BETWEEN 0 AND 40320);

    -- The outbox: one row per change to a person's goals, tasks, plan versions (and later
    -- tables that attach record_change), written in the changing transaction. The id is the
    -- cursor of sync.live, sync.changes and webhook dispatch. No foreign key to users: the
    -- rows of a deleted account's cascade are recorded after the account row is gone.
    CREATE TABLE change_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id text NOT NULL,
      entity text NOT NULL,
      entity_id uuid NOT NULL,
      type text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX change_events_user_idx ON change_events (user_id, id);

    -- Runs at commit (a deferred constraint trigger), under a per-person lock taken there: a
    -- person's events get their ids in commit order, so a reader that has seen id N never
    -- sees an id below N commit later. The lock is the transaction's last, so it cannot
    -- deadlock with row locks. One NOTIFY per person and transaction (Postgres folds equal
    -- payloads), carrying only the person's id.
    CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      entity text := TG_ARGV[0];
      row_user text;
      row_id uuid;
      action text;
    BEGIN
      IF TG_OP = 'DELETE' THEN
        row_user := OLD.user_id;
        row_id := OLD.id;
        action := 'deleted';
      ELSE
        row_user := NEW.user_id;
        row_id := NEW.id;
        action := CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END;
      END IF;
      IF entity = 'task' AND TG_OP = 'UPDATE' THEN
        IF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
          action := 'completed';
        ELSIF OLD.completed_at IS NOT NULL AND NEW.completed_at IS NULL THEN
          action := 'reopened';
        END IF;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtextextended('change_events:' || row_user, 0));
      INSERT INTO change_events (user_id, entity, entity_id, type)
        VALUES (row_user, entity, row_id, entity || '.' || action);
      PERFORM pg_notify('stepwise_changes', row_user);
      RETURN NULL;
    END
    $$;

    CREATE CONSTRAINT TRIGGER goals_record_change AFTER INSERT OR UPDATE OR DELETE ON goals
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change('goal');
    CREATE CONSTRAINT TRIGGER tasks_record_change AFTER INSERT OR UPDATE OR DELETE ON tasks
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change('task');
    CREATE CONSTRAINT TRIGGER plan_versions_record_change
      AFTER INSERT OR UPDATE OR DELETE ON plan_versions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change('plan_version');
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS goals_record_change ON goals;
    DROP TRIGGER IF EXISTS tasks_record_change ON tasks;
    DROP TRIGGER IF EXISTS plan_versions_record_change ON plan_versions;
    DROP FUNCTION IF EXISTS record_change();
    DROP TABLE IF EXISTS change_events;
    ALTER TABLE tasks DROP COLUMN IF EXISTS due_time, DROP COLUMN IF EXISTS reminder_minutes;
    ALTER TABLE users DROP COLUMN IF EXISTS timezone;
  `.execute(db);
}
