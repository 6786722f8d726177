import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- One workspace per user: a coach's, tutor's or business's published assistant.
    CREATE TABLE workspaces (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id text NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
      handle text NOT NULL UNIQUE
        CHECK (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(handle) BETWEEN 3 AND 40),
      type text NOT NULL DEFAULT 'individual' CHECK (type IN ('individual', 'business')),
      tone text NOT NULL DEFAULT 'professional'
        CHECK (tone IN ('professional', 'friendly', 'casual', 'warm', 'concise')),
      timezone text NOT NULL DEFAULT 'UTC',
      knowledge_base text NOT NULL DEFAULT '' CHECK (length(knowledge_base) <= 50000),
      business_name text NOT NULL DEFAULT '',
      tagline text NOT NULL DEFAULT '',
      bio text NOT NULL DEFAULT '',
      phone text NOT NULL DEFAULT '',
      website text NOT NULL DEFAULT '',
      social_links jsonb NOT NULL DEFAULT '{}',
      setup_completed boolean NOT NULL DEFAULT false,
      daily_token_budget integer NOT NULL DEFAULT 200000 CHECK (daily_token_budget >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TRIGGER workspaces_updated_at BEFORE UPDATE ON workspaces
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE workspace_services (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      duration_minutes integer CHECK (duration_minutes BETWEEN 5 AND 1440),
      price_cents integer CHECK (price_cents >= 0),
      currency text NOT NULL DEFAULT 'USD',
      active boolean NOT NULL DEFAULT true,
      position integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX workspace_services_order_idx ON workspace_services (workspace_id, position, id);
    CREATE TRIGGER workspace_services_updated_at BEFORE UPDATE ON workspace_services
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE scheduling_connectors (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      type text NOT NULL CHECK (type IN ('calendly', 'square', 'agendapro')),
      config jsonb NOT NULL,
      active boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- At most one active connector per workspace, whatever races the requests run.
    CREATE UNIQUE INDEX scheduling_connectors_one_active_idx ON scheduling_connectors (workspace_id)
      WHERE active;
    CREATE INDEX scheduling_connectors_workspace_idx ON scheduling_connectors (workspace_id);
    CREATE TRIGGER scheduling_connectors_updated_at BEFORE UPDATE ON scheduling_connectors
      FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    -- Public conversations belong to the workspace owner (user_id) and to the workspace; a
    -- visitor reaches one only with its token (kept as a SHA-256 hash).
    ALTER TABLE conversations
      ADD COLUMN workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
      ADD COLUMN channel text CHECK (channel IN
        ('web', 'instagram', 'whatsapp', 'sms', 'messenger', 'chatgpt', 'phone')),
      ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
      ADD COLUMN visitor_token_hash text UNIQUE,
      ADD CONSTRAINT conversations_public_check
        CHECK ((workspace_id IS NULL) = (channel IS NULL));
    CREATE INDEX conversations_workspace_idx ON conversations (workspace_id, created_at DESC, id DESC)
      WHERE workspace_id IS NOT NULL;

    ALTER TABLE generations DROP CONSTRAINT generations_kind_check;
    ALTER TABLE generations ADD CONSTRAINT generations_kind_check
      CHECK (kind IN ('plan', 'revision', 'chat', 'public_reply'));

    -- Tokens spent on public replies, per workspace and UTC day (the daily budget).
    CREATE TABLE workspace_usage (
      workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
      day date NOT NULL,
      tokens integer NOT NULL DEFAULT 0,
      replies integer NOT NULL DEFAULT 0,
      PRIMARY KEY (workspace_id, day)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS workspace_usage;
    DELETE FROM generations WHERE kind = 'public_reply';
    ALTER TABLE generations DROP CONSTRAINT generations_kind_check;
    ALTER TABLE generations ADD CONSTRAINT generations_kind_check
      CHECK (kind IN ('plan', 'revision', 'chat'));
    DELETE FROM conversations WHERE workspace_id IS NOT NULL;
    ALTER TABLE conversations DROP CONSTRAINT conversations_public_check,
      DROP COLUMN visitor_token_hash, DROP COLUMN tags, DROP COLUMN channel,
      DROP COLUMN workspace_id;
    DROP TABLE IF EXISTS scheduling_connectors, workspace_services, workspaces;
  `.execute(db);
}
