import { randomBytes } from 'node:crypto';
import { insertSession, insertUser } from '@stepwise/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { getSessionUser, updateProfile } from '../services/auth/auth.service.js';
import {
  anonymousCaller,
  createTestServices,
  signedInCaller,
  type TestServices,
} from '../testing/test-services.js';
import { createContextInner } from '../trpc/context.js';
import { createCaller } from '../trpc/root.js';

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices({ SIGNIN_MAX_PER_ACCOUNT: '3', SIGNIN_MAX_PER_IP: '1000' });
});
afterAll(() => services.close());

const newEmail = () => `person-${randomBytes(4).toString('hex')}@example.test`;

describe('auth', () => {
  it('signs up, signs in, answers me, and signs out', async () => {
    const email = newEmail();
    const anonymous = anonymousCaller(services);
    const signedUp = await anonymous.auth.signUp({ email, password: 'correct horse', name: 'Ada' });
    expect(signedUp.user).toMatchObject({ email, name: 'Ada', timezone: 'UTC' });
    expect(signedUp.token).toEqual(expect.any(String));

    const signedIn = await anonymous.auth.signIn({
      email: email.toUpperCase(),
      password: 'correct horse',
    });
    expect(signedIn.user).toEqual(signedUp.user);
    expect(signedIn.token).not.toBe(signedUp.token);

    // The bearer token resolves to the user over HTTP, and stops working after sign-out.
    const app = createApp(services);
    const me = () =>
      app.request('/trpc/auth.me', { headers: { authorization: `Bearer ${signedIn.token}` } });
    expect((await (await me()).json()).result.data.json).toMatchObject({
      id: signedUp.user.id,
      email,
    });
    const signOut = await app.request('/trpc/auth.signOut', {
      method: 'POST',
      headers: { authorization: `Bearer ${signedIn.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signOut.status).toBe(200);
    expect((await me()).status).toBe(401);
  });

  it('rejects a wrong password and a taken email with specific codes', async () => {
    const email = newEmail();
    const anonymous = anonymousCaller(services);
    await anonymous.auth.signUp({ email, password: 'password-one', name: 'Bo' });
    await expect(anonymous.auth.signIn({ email, password: 'password-two' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(
      anonymous.auth.signUp({ email, password: 'password-three', name: 'Bo again' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rate limits sign-in attempts per account', async () => {
    const email = newEmail();
    const anonymous = anonymousCaller(services);
    await anonymous.auth.signUp({ email, password: 'password-one', name: 'Cy' });
    for (let i = 0; i < 3; i++) {
      await expect(
        anonymous.auth.signIn({ email, password: 'wrong-password' }),
      ).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    // Even the right password is refused until the window passes.
    await expect(anonymous.auth.signIn({ email, password: 'password-one' })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
  });

  it('rate limits sign-in attempts per IP across accounts', async () => {
    const limited = await createTestServices({
      SIGNIN_MAX_PER_ACCOUNT: '100',
      SIGNIN_MAX_PER_IP: '2',
    });
    try {
      const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      const caller = createCaller(createContextInner({ services: limited, ip }));
      for (const email of [newEmail(), newEmail()]) {
        await expect(caller.auth.signIn({ email, password: 'whatever1' })).rejects.toMatchObject({
          code: 'UNAUTHORIZED',
        });
      }
      await expect(
        caller.auth.signIn({ email: newEmail(), password: 'whatever1' }),
      ).rejects.toMatchObject({
        code: 'TOO_MANY_REQUESTS',
      });
    } finally {
      await limited.close();
    }
  });

  it('slides a session forward once it is a day old, and refuses an expired one', async () => {
    const user = await insertUser(services.db);
    const day = 24 * 3600_000;
    const aging = await insertSession(services.db, user.id, 3 * day);
    const headers = (token: string) => new Headers({ authorization: `Bearer ${token}` });
    expect(await getSessionUser(services, headers(aging.token))).toMatchObject({ id: user.id });
    const refreshed = await services.db
      .selectFrom('sessions')
      .select('expires_at')
      .where('id', '=', aging.id)
      .executeTakeFirstOrThrow();
    expect(refreshed.expires_at.getTime()).toBeGreaterThan(Date.now() + 6 * day);

    const expired = await insertSession(services.db, user.id, -1_000);
    expect(await getSessionUser(services, headers(expired.token))).toBeNull();
    expect(await getSessionUser(services, headers('no-such-token'))).toBeNull();
  });

  it('requires a session for me', async () => {
    await expect(anonymousCaller(services).auth.me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('answers the time zone in me, and changes name and time zone with updateProfile', async () => {
    const { caller, user } = await signedInCaller(services);
    expect(await caller.auth.me()).toEqual({ ...user, timezone: 'UTC' });
    const updated = await caller.auth.updateProfile({
      name: ' Ada L. ',
      timezone: 'Asia/Kathmandu',
    });
    expect(updated).toEqual({ ...user, name: 'Ada L.', timezone: 'Asia/Kathmandu' });
    expect(await caller.auth.me()).toEqual(updated);
    expect(await caller.auth.updateProfile({ timezone: 'America/Argentina/Salta' })).toEqual({
      ...updated,
      timezone: 'America/Argentina/Salta',
    });
    expect(await caller.auth.updateProfile({})).toMatchObject({
      timezone: 'America/Argentina/Salta',
    });
  });

  it("signs up with the device's time zone, and signs in to the same profile", async () => {
    const email = newEmail();
    const anonymous = anonymousCaller(services);
    const signedUp = await anonymous.auth.signUp({
      email,
      password: 'correct horse',
      name: 'Ana',
      timezone: 'America/Sao_Paulo',
    });
    expect(signedUp.user).toMatchObject({ email, timezone: 'America/Sao_Paulo' });
    const signedIn = await anonymous.auth.signIn({ email, password: 'correct horse' });
    expect(signedIn.user).toEqual(signedUp.user);
    await expect(
      anonymous.auth.signUp({
        email: newEmail(),
        password: 'correct horse',
        name: 'X',
        timezone: 'Mars/Olympus',
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses an unknown time zone with a field error, and changes nothing', async () => {
    const { user, token } = await signedInCaller(services);
    const app = createApp(services);
    const response = await app.request('/trpc/auth.updateProfile', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { timezone: 'Mars/Olympus', name: 'Marvin' } }),
    });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.json.data.code).toBe('BAD_REQUEST');
    expect(Object.keys(error.json.data.zodError.fieldErrors)).toEqual(['timezone']);
    for (const timezone of ['+05:00', 'UTC+3', '', 'Europe/Atlantis']) {
      await expect(
        createCaller(createContextInner({ services, user })).auth.updateProfile({ timezone }),
        timezone,
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    // Past the input check, the database refuses a zone it does not know as well.
    await expect(
      updateProfile(services, { userId: user.id, timezone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const row = await services.db
      .selectFrom('users')
      .select(['name', 'timezone'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: user.name, timezone: 'UTC' });
  });
});
