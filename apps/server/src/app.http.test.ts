import { insertSession, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { startTestServer } from './testing/start-test-server.js';

let server: RunningServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: 'https://app.example' });
  const user = await insertUser(server.services.db);
  ({ token } = await insertSession(server.services.db, user.id));
});
afterAll(() => server?.close());

const meUrl = () => `${server.url}/trpc/auth.me`;

describe('HTTP surface', () => {
  it('answers tRPC calls with a request id and server timing', async () => {
    const res = await fetch(meUrl(), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    expect(res.headers.get('server-timing')).toMatch(/^app;dur=\d/);
    const echoed = await fetch(meUrl(), {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-1234' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('trace-1234');
  });

  it('sends CORS headers to allowed browser origins only', async () => {
    const allowed = await fetch(meUrl(), {
      headers: { authorization: `Bearer ${token}`, origin: 'https://app.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(allowed.headers.get('x-request-id')).toBeTruthy();

    const other = await fetch(meUrl(), {
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await fetch(meUrl(), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refuses bodies over 1 MiB, declared or streamed', async () => {
    const big = JSON.stringify({ json: { goal: 'x'.repeat(1024 * 1024 + 10) } });
    const declared = await fetch(`${server.url}/trpc/plan.generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);

    const streamed = await fetch(`${server.url}/trpc/plan.generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    // A small body still gets through to tRPC (and its validation).
    const small = await fetch(`${server.url}/trpc/plan.generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { goal: 'x' } }),
    });
    expect(small.status).toBe(400);
  });
});
