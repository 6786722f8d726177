import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application code. Later changes get a new file.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Takes the event log's lock of a generation (the one every append takes, held to the
    -- end of the transaction), then tells whether the generation is still running. A VOLATILE
    -- plpgsql function reads with a snapshot taken after the lock was granted, so a cancel
    -- that committed while this append waited for the lock is seen, without locking the
    -- generation's row on every streamed event.
    CREATE FUNCTION stream_event_lock_if_running(generation uuid) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended(generation::text, 0));
      RETURN EXISTS (SELECT 1 FROM generations WHERE id = generation AND status = 'running');
    END
    $$;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS stream_event_lock_if_running(uuid);`.execute(db);
}
