import { Writable } from 'node:stream';
import { useTestDatabase } from '@stepwise/db/testing';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createServices } from '../services/create-services.js';
import { testEnv } from '../testing/test-services.js';
import { startWorker } from './start-worker.js';

describe('startWorker', () => {
  it('logs its start at info without crontab noise', async () => {
    const lines: { msg: string }[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const connected = () => lines.some((line) => /Worker connected/.test(line.msg));
    const env = testEnv({ LOG_LEVEL: 'info' });
    const database = await useTestDatabase({ max: 4 });
    const services = await createServices({ env, database, logger: createLogger(env, stream) });
    try {
      const worker = await startWorker(services, { concurrency: 1 });
      // graphile-worker connects after run() resolves; wait for it (up to 10 s).
      for (let i = 0; i < 200 && !connected(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await worker.stop();
    } finally {
      services.shutdown.abort();
      await services.hub.close();
      await database.close();
    }
    expect(connected()).toBe(true);
    expect(lines.filter((line) => /crontab|cron is disabled/i.test(line.msg))).toEqual([]);
  });
});
