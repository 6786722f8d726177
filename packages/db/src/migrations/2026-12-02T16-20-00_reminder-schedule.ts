import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- A time of day means nothing without the day.
    ALTER TABLE tasks ADD CONSTRAINT tasks_due_time_needs_date
      CHECK (due_time IS NULL OR due_date IS NOT NULL);

    -- The moment a task is due: its due date and time of day read in the person's zone, to
    -- the second (a nonexistent local time, in a DST gap, moves forward as Postgres does).
    CREATE FUNCTION task_due_at(p_due_date date, p_due_time time, p_timezone text)
      RETURNS timestamptz LANGUAGE sql STABLE
      AS $$ SELECT date_trunc('second', (p_due_date + p_due_time) AT TIME ZONE p_timezone) $$;

    -- An instant as the job payloads and dedupe keys spell it: 2026-12-02T14:30:00Z.
    CREATE FUNCTION utc_iso(p_at timestamptz) RETURNS text LANGUAGE sql STABLE
      AS $$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

    -- Keeps a task's reminder job (key 'task-reminder:<task id>') in step with the task: an
    -- open task with a due date, a due time and reminder minutes whose due moment is ahead
    -- gets a job at (due moment - minutes), at once when that is already past; any other
    -- task gets none. 'replace' moves a queued job; remove_job drops it. Without the job
    -- queue's schema (a database no worker has opened yet) there is nothing to schedule.
    CREATE FUNCTION schedule_task_reminder(
      p_task_id uuid, p_user_id text, p_due_date date, p_due_time time,
      p_reminder_minutes integer, p_open boolean
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      v_key text := 'task-reminder:' || p_task_id;
      v_due_at timestamptz;
      v_remind_at timestamptz;
    BEGIN
      IF to_regnamespace('graphile_worker') IS NULL THEN
        RETURN;
      END IF;
      IF p_open AND p_due_date IS NOT NULL AND p_due_time IS NOT NULL
          AND p_reminder_minutes IS NOT NULL THEN
        v_due_at := task_due_at(p_due_date, p_due_time,
          (SELECT timezone FROM users WHERE id = p_user_id));
      END IF;
      IF v_due_at IS NULL OR v_due_at <= now() THEN
        PERFORM graphile_worker.remove_job(v_key);
        RETURN;
      END IF;
      v_remind_at := v_due_at - make_interval(mins => p_reminder_minutes);
      PERFORM graphile_worker.add_job(
        'task-reminder',
        json_build_object(
          'taskId', p_task_id, 'dueAt', utc_iso(v_due_at), 'remindAt', utc_iso(v_remind_at)),
        run_at => greatest(v_remind_at, now()),
        max_attempts => 5,
        job_key => v_key,
        job_key_mode => 'replace');
    END
    $$;

    CREATE FUNCTION tasks_schedule_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM schedule_task_reminder(OLD.id, OLD.user_id, NULL, NULL, NULL, false);
      ELSE
        PERFORM schedule_task_reminder(NEW.id, NEW.user_id, NEW.due_date, NEW.due_time,
          NEW.reminder_minutes, NEW.completed_at IS NULL);
      END IF;
      RETURN NULL;
    END
    $$;

    -- Only rows that have (or had) a due time reach the function: a plan's tasks, a title
    -- edit, or the completion of a task without a due time cost one WHEN test and nothing more.
    CREATE TRIGGER tasks_reminder_insert AFTER INSERT ON tasks FOR EACH ROW
      WHEN (NEW.due_time IS NOT NULL AND NEW.reminder_minutes IS NOT NULL
        AND NEW.completed_at IS NULL)
      EXECUTE FUNCTION tasks_schedule_reminder();
    CREATE TRIGGER tasks_reminder_update
      AFTER UPDATE OF due_date, due_time, reminder_minutes, completed_at ON tasks FOR EACH ROW
      WHEN ((OLD.due_time IS NOT NULL OR NEW.due_time IS NOT NULL)
        AND (OLD.due_date, OLD.due_time, OLD.reminder_minutes, OLD.completed_at IS NULL)
          IS DISTINCT FROM (NEW.due_date, NEW.due_time, NEW.reminder_minutes, NEW.completed_at IS NULL))
      EXECUTE FUNCTION tasks_schedule_reminder();
    CREATE TRIGGER tasks_reminder_delete AFTER DELETE ON tasks FOR EACH ROW
      WHEN (OLD.due_time IS NOT NULL AND OLD.reminder_minutes IS NOT NULL
        AND OLD.completed_at IS NULL)
      EXECUTE FUNCTION tasks_schedule_reminder();

    -- A new time zone moves every pending reminder of the person, and must be one Postgres
    -- knows (AT TIME ZONE raises 22023 for an unknown zone), or no due moment could be read.
    -- Tasks due more than two days ago cannot come back ahead under any zone: skipped.
    CREATE FUNCTION users_reschedule_reminders() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM now() AT TIME ZONE NEW.timezone;
      PERFORM schedule_task_reminder(id, user_id, due_date, due_time, reminder_minutes, true)
        FROM tasks
        WHERE user_id = NEW.id AND completed_at IS NULL AND due_time IS NOT NULL
          AND reminder_minutes IS NOT NULL
          AND due_date >= (now() AT TIME ZONE 'UTC')::date - 2;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER users_reschedule_reminders AFTER UPDATE OF timezone ON users FOR EACH ROW
      WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
      EXECUTE FUNCTION users_reschedule_reminders();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS users_reschedule_reminders ON users;
    DROP TRIGGER IF EXISTS tasks_reminder_insert ON tasks;
    DROP TRIGGER IF EXISTS tasks_reminder_update ON tasks;
    DROP TRIGGER IF EXISTS tasks_reminder_delete ON tasks;
    DROP FUNCTION IF EXISTS users_reschedule_reminders();
    DROP FUNCTION IF EXISTS tasks_schedule_reminder();
    DROP FUNCTION IF EXISTS schedule_task_reminder(uuid, text, date, time, integer, boolean);
    DROP FUNCTION IF EXISTS utc_iso(timestamptz);
    DROP FUNCTION IF EXISTS task_due_at(date, time, text);
    ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_due_time_needs_date;
  `.execute(db);
}
