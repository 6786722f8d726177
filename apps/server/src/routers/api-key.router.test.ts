import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createTestServices, signedInCaller, type TestServices } from '../testing/test-services.js';
import { createContextInner } from '../trpc/context.js';
import { authenticateBearer } from '../trpc/create-context.js';
import { createCaller } from '../trpc/root.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

/** A tRPC caller acting with API key `key`, resolved the way HTTP requests resolve it. */
async function keyCaller(key: string) {
  const resolved = await authenticateBearer(services, bearer(key));
  if (!resolved) throw new Error('the key did not authenticate');
  return createCaller(createContextInner({ services, ...resolved }));
}

describe('apiKey', () => {
  it('creates a key shown once, stores only its SHA-256, and lists it without the key', async () => {
    const { caller, user } = await signedInCaller(services);
    const { key, apiKey } = await caller.apiKey.create({
      name: ' build script ',
      scopes: ['tasks:read', 'tasks:read', 'plans:read'],
      expiresInDays: 30,
    });
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      name: 'build script',
      prefix: key.slice(0, 11),
      scopes: ['tasks:read', 'plans:read'],
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(apiKey.expiresAt!.getTime() - Date.now()).toBeGreaterThan(29.9 * 24 * 3600_000);

    const row = await services.db
      .selectFrom('api_keys')
      .select(['key_hash', 'user_id'])
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      key_hash: createHash('sha256').update(key).digest('hex'),
      user_id: user.id,
    });
    const listed = await caller.apiKey.list();
    expect(listed.map((k) => k.id)).toEqual([apiKey.id]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(11));
  });

  it('refuses unknown scopes and empty scope lists with BAD_REQUEST', async () => {
    const { caller } = await signedInCaller(services);
    const refused = await caller.apiKey
      .create({ name: 'x', scopes: ['tasks:read', 'admin:all' as 'tasks:read'] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCError);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect(JSON.stringify((refused as TRPCError).cause)).toContain('scopes');
    await expect(caller.apiKey.create({ name: 'x', scopes: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('acts as its owner within its scopes, and FORBIDDEN names the scope it lacks', async () => {
    const { caller, user } = await signedInCaller(services);
    const own = await caller.task.create({ title: 'Mine' });
    const { key } = await caller.apiKey.create({ name: 'reader', scopes: ['tasks:read'] });
    const reader = await keyCaller(key);

    expect((await reader.task.list({})).items.map((t) => t.id)).toEqual([own.id]);
    expect(await reader.task.get({ taskId: own.id })).toMatchObject({ title: 'Mine' });
    await expect(reader.task.create({ title: 'Sneaky' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('tasks:write'),
    });
    await expect(reader.goal.list({})).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('plans:read'),
    });
    const resolved = await authenticateBearer(services, bearer(key));
    expect(resolved?.user.id).toBe(user.id);
  });

  it('never lets a key call apiKey.* or auth.* (no key minting keys)', async () => {
    const { caller } = await signedInCaller(services);
    const { key } = await caller.apiKey.create({
      name: 'everything',
      scopes: ['tasks:read', 'tasks:write', 'plans:read', 'plans:write', 'webhooks:manage'],
    });
    const keyed = await keyCaller(key);
    const forbidden = { code: 'FORBIDDEN', message: expect.stringContaining('signed-in session') };
    await expect(
      keyed.apiKey.create({ name: 'child', scopes: ['tasks:read'] }),
    ).rejects.toMatchObject(forbidden);
    await expect(keyed.apiKey.list()).rejects.toMatchObject(forbidden);
    await expect(keyed.auth.me()).rejects.toMatchObject(forbidden);
    await expect(keyed.auth.signOut()).rejects.toMatchObject(forbidden);
  });

  it('stops working at once when revoked, or once expired; sessions keep full access', async () => {
    const { caller, token } = await signedInCaller(services);
    const stranger = await signedInCaller(services);
    const { key, apiKey } = await caller.apiKey.create({ name: 'ci', scopes: ['tasks:read'] });
    expect(await authenticateBearer(services, bearer(key))).not.toBeNull();

    await expect(stranger.caller.apiKey.revoke({ apiKeyId: apiKey.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const revoked = await caller.apiKey.revoke({ apiKeyId: apiKey.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateBearer(services, bearer(key))).toBeNull();
    expect((await caller.apiKey.revoke({ apiKeyId: apiKey.id })).revokedAt).toEqual(
      revoked.revokedAt,
    );

    const expiring = await caller.apiKey.create({ name: 'short', scopes: ['tasks:read'] });
    await services.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', expiring.apiKey.id)
      .execute();
    expect(await authenticateBearer(services, bearer(expiring.key))).toBeNull();
    expect(await authenticateBearer(services, bearer('sk_not-a-real-key'))).toBeNull();

    expect(await authenticateBearer(services, bearer(token))).toMatchObject({ apiKey: null });
  });

  it('authenticates tRPC over HTTP with the key, and answers 403 past its scopes', async () => {
    const { caller } = await signedInCaller(services);
    await caller.task.create({ title: 'Over HTTP' });
    const { key } = await caller.apiKey.create({ name: 'http', scopes: ['tasks:read'] });
    const app = createApp(services);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const list = await app.request('/trpc/task.list?input=%7B%22json%22%3A%7B%7D%7D', { headers });
    expect(list.status).toBe(200);
    const body = (await list.json()) as {
      result: { data: { json: { items: { title: string }[] } } };
    };
    expect(body.result.data.json.items.map((t) => t.title)).toEqual(['Over HTTP']);

    const create = await app.request('/trpc/task.create', {
      method: 'POST',
      headers,
      body: JSON.stringify({ json: { title: 'Nope' } }),
    });
    expect(create.status).toBe(403);
    const minted = await app.request('/trpc/apiKey.create', {
      method: 'POST',
      headers,
      body: JSON.stringify({ json: { name: 'child', scopes: ['tasks:read'] } }),
    });
    expect(minted.status).toBe(403);
  });
});
