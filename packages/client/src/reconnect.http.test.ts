import { createServer } from 'node:net';
import { appendStreamEvent, listStreamEvents } from '@stepwise/db';
import type { PlanProgressEvent } from '@stepwise/server';
import { startTestServer } from '@stepwise/server/testing';
import { describe, expect, it } from 'vitest';
import { signUpClient } from './testing/follow.js';

async function freePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a subscription across a server restart', () => {
  it('reconnects by itself and resumes after its last event, missing nothing', async () => {
    const port = String(await freePort());
    let server = await startTestServer({ PORT: port, RUN_WORKER: 'false' });
    try {
      const { client } = await signUpClient(server.url);
      const { generationId } = await client.plan.generate.mutate({
        goal: 'Learn to juggle',
        durationWeeks: 1,
      });
      const received: { id: string; data: PlanProgressEvent }[] = [];
      const states: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const sub = client.plan.progress.subscribe(
          { generationId },
          {
            onData: ({ id, data }) => {
              received.push({ id, data });
              if (data.type === 'failed') {
                sub.unsubscribe();
                resolve();
              }
            },
            onConnectionStateChange: (state) => states.push(state.state),
            onError: reject,
          },
        );
      });
      const append = (data: Record<string, unknown> & { type: string }) =>
        appendStreamEvent(server.services.db, { generationId, type: data.type, data });
      while (received.length === 0) await new Promise((r) => setTimeout(r, 20));

      // The instance goes away mid-stream; events keep being written meanwhile (by a worker
      // elsewhere); a new instance comes up where the client connects.
      await server.close();
      const during = await startTestServer({ RUN_WORKER: 'false' });
      await appendStreamEvent(during.services.db, {
        generationId,
        type: 'status',
        data: { type: 'status', phase: 'generating', attempt: 1 },
      });
      await during.close();
      server = await startTestServer({ PORT: port, RUN_WORKER: 'false' });
      await append({ type: 'status', phase: 'saving', attempt: 1 });
      await append({ type: 'failed', code: 'MODEL_ERROR', message: 'gave up' });
      await done;

      const stored = await listStreamEvents(server.services.db, { generationId });
      expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.id));
      expect(states).toContain('connecting');
    } finally {
      await server.close();
    }
  }, 30_000);
});
