import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- What the dispatch trigger asks on every change event: does this person have an active
    -- webhook? Most people have none, so the answer must cost one index probe.
    CREATE INDEX webhooks_active_user_idx ON webhooks (user_id) WHERE active;

    -- The delivery log, newest first, in event order within one commit.
    CREATE INDEX webhook_deliveries_log_order_idx
      ON webhook_deliveries (webhook_id, created_at DESC, event_id DESC);

    -- A test ping has no change event behind it: its delivery takes the next negative number
    -- from here as its event_id, so it never collides with an event (ids are positive).
    CREATE SEQUENCE webhook_ping_ids;

    -- Queues the 'webhook-dispatch' job of a person whose change events may match a webhook.
    -- Runs inside record_change (at commit, under the person's change lock). One job per
    -- person (its key): a job still waiting is replaced, a running one is followed by a new
    -- one (graphile-worker's job_key rule), which then reads from the webhooks' cursors. The
    -- transaction-local setting asks add_job once per person and transaction, however many
    -- rows changed: a 40-task plan queues one job, not 40 replacements of it.
    CREATE FUNCTION queue_webhook_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('stepwise.webhook_dispatch_queued', true) IS DISTINCT FROM NEW.user_id
        AND EXISTS (SELECT 1 FROM webhooks WHERE user_id = NEW.user_id AND active)
      THEN
        PERFORM graphile_worker.add_job(
          'webhook-dispatch',
          json_build_object('userId', NEW.user_id),
          job_key => 'webhook-dispatch:' || NEW.user_id,
          max_attempts => 10
        );
        PERFORM set_config('stepwise.webhook_dispatch_queued', NEW.user_id, true);
      END IF;
      RETURN NULL;
    END
    $$;

    CREATE TRIGGER change_events_queue_webhook_dispatch AFTER INSERT ON change_events
      FOR EACH ROW EXECUTE FUNCTION queue_webhook_dispatch();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS change_events_queue_webhook_dispatch ON change_events;
    DROP FUNCTION IF EXISTS queue_webhook_dispatch();
    DROP SEQUENCE IF EXISTS webhook_ping_ids;
    DROP INDEX IF EXISTS webhook_deliveries_log_order_idx;
    DROP INDEX IF EXISTS webhooks_active_user_idx;
  `.execute(db);
}
