import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();
      RETURN NEW;
    END $$;

    -- better-auth core tables (email + password, bearer sessions), snake_case columns.
    CREATE TABLE users (
      id text PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL UNIQUE,
      email_verified boolean NOT NULL DEFAULT false,
      image text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      ip_address text,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sessions_user_id_idx ON sessions (user_id);

    CREATE TABLE accounts (
      id text PRIMARY KEY,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      account_id text NOT NULL,
      provider_id text NOT NULL,
      access_token text,
      refresh_token text,
      id_token text,
      access_token_expires_at timestamptz,
      refresh_token_expires_at timestamptz,
      scope text,
      password text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX accounts_user_id_idx ON accounts (user_id);

    CREATE TABLE verifications (
      id text PRIMARY KEY,
      identifier text NOT NULL,
      value text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX verifications_identifier_idx ON verifications (identifier);

    -- Fixed-window counters for sign-in throttling (rate-limiter-flexible's layout).
    CREATE TABLE rate_limits (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    );

    CREATE TABLE goals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      title text NOT NULL,
      requirements jsonb NOT NULL,
      status text NOT NULL DEFAULT 'generating'
        CHECK (status IN ('generating', 'active', 'completed', 'archived', 'failed')),
      failure_code text,
      failure_message text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX goals_user_created_idx ON goals (user_id, created_at DESC, id DESC);
    CREATE INDEX goals_user_status_created_idx ON goals (user_id, status, created_at DESC, id DESC);

    CREATE TABLE generations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      goal_id uuid REFERENCES goals (id) ON DELETE CASCADE,
      conversation_id uuid,
      kind text NOT NULL CHECK (kind IN ('plan', 'revision', 'chat')),
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
      input jsonb NOT NULL DEFAULT '{}',
      provider text,
      model text,
      offline boolean NOT NULL DEFAULT false,
      attempts integer NOT NULL DEFAULT 0,
      prompt_tokens integer NOT NULL DEFAULT 0,
      completion_tokens integer NOT NULL DEFAULT 0,
      cost_usd numeric(12, 6),
      error_code text,
      error_message text,
      started_at timestamptz,
      -- Touched by the job while it runs; a stale heartbeat means its worker died.
      heartbeat_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX generations_user_created_idx ON generations (user_id, created_at DESC);
    CREATE INDEX generations_goal_idx ON generations (goal_id, created_at DESC);
    CREATE INDEX generations_conversation_idx ON generations (conversation_id);
    CREATE INDEX generations_unfinished_idx ON generations (heartbeat_at)
      WHERE status IN ('queued', 'running');

    CREATE TABLE plan_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      goal_id uuid NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      is_current boolean NOT NULL DEFAULT false,
      source text NOT NULL CHECK (source IN ('generated', 'revised', 'restored', 'edited')),
      title text NOT NULL,
      summary text NOT NULL DEFAULT '',
      plan jsonb NOT NULL,
      generation_id uuid REFERENCES generations (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (goal_id, version)
    );
    -- Exactly one current version per goal, enforced here rather than in application code.
    CREATE UNIQUE INDEX plan_versions_one_current_idx ON plan_versions (goal_id) WHERE is_current;

    CREATE TABLE tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      goal_id uuid REFERENCES goals (id) ON DELETE CASCADE,
      plan_version_id uuid REFERENCES plan_versions (id) ON DELETE SET NULL,
      task_key text,
      week integer CHECK (week > 0),
      day integer CHECK (day BETWEEN 1 AND 7),
      title text NOT NULL,
      notes text NOT NULL DEFAULT '',
      category text,
      effort_minutes integer CHECK (effort_minutes >= 0),
      priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
      tags text[] NOT NULL DEFAULT '{}',
      start_date date,
      due_date date,
      recurrence text,
      recurrence_parent_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
      completed_at timestamptz,
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (goal_id, task_key)
    );
    CREATE INDEX tasks_goal_position_idx ON tasks (goal_id, week, position) WHERE goal_id IS NOT NULL;
    CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at DESC, id DESC);
    CREATE INDEX tasks_user_due_idx ON tasks (user_id, due_date, id);
    CREATE INDEX tasks_user_open_due_idx ON tasks (user_id, due_date) WHERE completed_at IS NULL;
    CREATE INDEX tasks_tags_idx ON tasks USING gin (tags);
    CREATE INDEX tasks_title_trgm_idx ON tasks USING gin ((title || ' ' || notes) gin_trgm_ops);

    CREATE TABLE stream_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      generation_id uuid NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
      type text NOT NULL,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX stream_events_generation_idx ON stream_events (generation_id, id);

    CREATE TABLE conversations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      goal_id uuid REFERENCES goals (id) ON DELETE CASCADE,
      title text NOT NULL DEFAULT '',
      summary text NOT NULL DEFAULT '',
      summarized_through timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);
    CREATE INDEX conversations_goal_idx ON conversations (goal_id);
    ALTER TABLE generations ADD FOREIGN KEY (conversation_id)
      REFERENCES conversations (id) ON DELETE CASCADE;

    CREATE TABLE messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('user', 'assistant')),
      content text NOT NULL DEFAULT '',
      parts jsonb NOT NULL DEFAULT '[]',
      scope jsonb,
      status text NOT NULL DEFAULT 'complete'
        CHECK (status IN ('streaming', 'complete', 'stopped', 'error')),
      idempotency_key text,
      generation_id uuid REFERENCES generations (id) ON DELETE SET NULL,
      -- clock_timestamp: a message and its reply, inserted in one transaction, stay ordered.
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, idempotency_key)
    );
    CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at, id);

    CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER sessions_updated_at BEFORE UPDATE ON sessions
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER accounts_updated_at BEFORE UPDATE ON accounts
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER verifications_updated_at BEFORE UPDATE ON verifications
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER goals_updated_at BEFORE UPDATE ON goals
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER generations_updated_at BEFORE UPDATE ON generations
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER tasks_updated_at BEFORE UPDATE ON tasks
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER conversations_updated_at BEFORE UPDATE ON conversations
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    CREATE TRIGGER messages_updated_at BEFORE UPDATE ON messages
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS messages, conversations, stream_events, tasks, plan_versions,
      generations, goals, rate_limits, verifications, accounts, sessions, users CASCADE;
    DROP FUNCTION IF EXISTS set_updated_at();
  `.execute(db);
}
