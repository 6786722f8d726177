import { type Database, type Kysely, pingDatabase } from '@stepwise/db';

export interface Readiness {
  ok: boolean;
  database: { ok: boolean; latencyMs: number; error?: string };
}

/** One database round trip, bounded so a hung database answers "not ready" instead of hanging. */
export async function checkDatabase(db: Kysely<Database>, timeoutMs = 2_000): Promise<Readiness> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pingDatabase(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { ok: true, database: { ok: true, latencyMs } };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    return { ok: false, database: { ok: false, latencyMs, error: (error as Error).message } };
  } finally {
    clearTimeout(timer);
  }
}
