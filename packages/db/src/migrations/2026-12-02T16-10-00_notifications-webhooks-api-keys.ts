import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- What the person is told: reminders (and later kinds). Stored first, then pushed live
    -- (through change_events) and emailed.
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL,
      title text NOT NULL,
      body text NOT NULL DEFAULT '',
      task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
      data jsonb NOT NULL DEFAULT '{}',
      -- One notification per key (a reminder: its task and due moment), whatever reruns.
      dedupe_key text UNIQUE,
      read_at timestamptz,
      email_status text NOT NULL DEFAULT 'pending'
        CHECK (email_status IN ('pending', 'sent', 'logged', 'failed', 'skipped')),
      emailed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
    CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
    CREATE CONSTRAINT TRIGGER notifications_record_change
      AFTER INSERT OR UPDATE OR DELETE ON notifications
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change('notification');

    -- Endpoints a person registered for change events ('task.completed', 'task.*', '*').
    CREATE TABLE webhooks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
      event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
      description text NOT NULL DEFAULT '',
      -- The HMAC-SHA256 signing key; kept readable, since every delivery is signed with it.
      secret text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      -- Dispatch cursor into change_events: events after it are still to be matched.
      last_event_id bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhooks_user_idx ON webhooks (user_id, created_at);
    CREATE TRIGGER webhooks_updated_at BEFORE UPDATE ON webhooks
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    -- One row per event and endpoint: the delivery log.
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      event_id bigint NOT NULL,
      event_type text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      next_attempt_at timestamptz,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (webhook_id, event_id)
    );
    CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at DESC, id);
    CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON webhook_deliveries
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    -- Each attempt of a delivery, with what the receiver answered.
    CREATE TABLE webhook_delivery_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      status_code integer,
      error text,
      duration_ms integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (delivery_id, attempt)
    );

    -- Personal API keys for non-browser clients: only a SHA-256 of the key is kept.
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      -- The key's first characters, to tell keys apart in lists.
      prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS api_keys;
    DROP TABLE IF EXISTS webhook_delivery_attempts;
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP TABLE IF EXISTS webhooks;
    DROP TABLE IF EXISTS notifications;
  `.execute(db);
}
