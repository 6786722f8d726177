import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ LOG_LEVEL: 'info', LOG_PRETTY: false }, stream) };
}

describe('logger', () => {
  it('logs an error with its message, code and cause, never an attached pg client', () => {
    const { lines, logger } = capture();
    const client = new pg.Client({ connectionString: 'postgresql://nobody:secret@127.0.0.1:1/x' });
    const error = Object.assign(new Error('terminating connection', { cause: new Error('EOF') }), {
      code: '57P01',
      severity: 'FATAL',
      client,
      query: { text: 'SELECT 1', values: ['secret'] },
    });
    logger.error({ err: error }, 'idle database connection failed');

    const err = lines[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({
      type: 'Error',
      message: 'terminating connection',
      code: '57P01',
      severity: 'FATAL',
      cause: { message: 'EOF' },
    });
    expect(err).not.toHaveProperty('client');
    expect(err).not.toHaveProperty('query');
    expect(JSON.stringify(lines[0])).not.toContain('secret');
  });

  it('leaves values that are not errors as they are', () => {
    const { lines, logger } = capture();
    logger.warn({ err: 'a plain reason' }, 'unhandled rejection');
    expect(lines[0]!.err).toBe('a plain reason');
  });
});
