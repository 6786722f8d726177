import { DomainError, type DomainErrorCode } from '@stepwise/core';
import { findSessionByToken } from '@stepwise/db';
import { APIError } from 'better-auth/api';
import type { SessionUser } from '../../trpc/context.js';
import type { AppServices } from '../app-services.js';

/** What `auth.me` answers: the session's user and their settings. */
export interface Profile extends SessionUser {
  /** IANA time zone: "today", overdue, due times and reminders are read on this clock. */
  timezone: string;
}

export interface AuthResult {
  token: string;
  user: Profile;
}

const API_STATUS_TO_DOMAIN: Record<string, DomainErrorCode> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'UNAUTHORIZED',
  UNPROCESSABLE_ENTITY: 'CONFLICT',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};

/** better-auth reports failures as APIError; ours are DomainErrors. */
async function callAuth<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof APIError) {
      const code = API_STATUS_TO_DOMAIN[String(error.status)] ?? 'INTERNAL';
      throw new DomainError(code, error.body?.message ?? error.message, { cause: error });
    }
    throw error;
  }
}

const toSessionUser = (user: { id: string; email: string; name: string }): SessionUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
});

/** A new account and its session; `timezone` (IANA) defaults to 'UTC'. */
export async function signUp(
  services: AppServices,
  input: { email: string; password: string; name: string; timezone?: string },
): Promise<AuthResult> {
  const { timezone, ...body } = input;
  const result = await callAuth(() => services.auth.api.signUpEmail({ body }));
  if (!result.token) throw new DomainError('INTERNAL', 'sign-up created no session');
  const user =
    timezone && timezone !== 'UTC'
      ? await updateProfile(services, { userId: result.user.id, timezone })
      : { ...toSessionUser(result.user), timezone: 'UTC' };
  return { token: result.token, user };
}

export async function signIn(
  services: AppServices,
  input: { email: string; password: string; ip: string },
): Promise<AuthResult> {
  await services.signInLimiter.consume(input.email, input.ip);
  const result = await callAuth(() =>
    services.auth.api.signInEmail({ body: { email: input.email, password: input.password } }),
  );
  await services.signInLimiter.reset(input.email);
  return { token: result.token, user: await getProfile(services, result.user.id) };
}

const PROFILE_COLUMNS = ['id', 'email', 'name', 'timezone'] as const;

/** The signed-in person's profile; UNAUTHORIZED when the account is gone. */
export async function getProfile(services: Pick<AppServices, 'db'>, userId: string) {
  const profile: Profile | undefined = await services.db
    .selectFrom('users')
    .select(PROFILE_COLUMNS)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!profile) throw new DomainError('UNAUTHORIZED', 'the account no longer exists');
  return profile;
}

/**
 * Changes the name and/or time zone. A new time zone moves every pending reminder (a trigger
 * on users); a zone Postgres does not know is a BAD_REQUEST. This instance forgets the
 * cached session at once; others see a new name within SESSION_CACHE_MS.
 *
 * @example
 * await updateProfile(services, { userId, timezone: 'America/New_York' });
 */
export async function updateProfile(
  services: Pick<AppServices, 'db' | 'sessionCache'>,
  input: { userId: string; name?: string; timezone?: string; sessionToken?: string | null },
): Promise<Profile> {
  const { name, timezone } = input;
  if (name === undefined && timezone === undefined) return getProfile(services, input.userId);
  let profile: Profile | undefined;
  try {
    profile = await services.db
      .updateTable('users')
      .set({ name, timezone, updated_at: new Date() })
      .where('id', '=', input.userId)
      .returning(PROFILE_COLUMNS)
      .executeTakeFirst();
  } catch (error) {
    // 22023: AT TIME ZONE in the users trigger did not recognise the zone.
    if ((error as { code?: string }).code === '22023') {
      throw new DomainError('BAD_REQUEST', `unknown time zone: ${timezone}`, {
        cause: error,
        details: { fieldErrors: { timezone: ['not a time zone the database knows'] } },
      });
    }
    throw error;
  }
  if (!profile) throw new DomainError('UNAUTHORIZED', 'the account no longer exists');
  if (input.sessionToken) services.sessionCache.delete(input.sessionToken);
  return profile;
}

/** Revokes the session of the request's bearer token; signing out twice is not an error. */
export async function signOut(services: AppServices, headers: Headers): Promise<void> {
  const token = headers.get('authorization')?.slice(7).trim();
  if (token) services.sessionCache.delete(token);
  await callAuth(() => services.auth.api.signOut({ headers }));
}

/** better-auth's defaults: sessions last 7 days and slide forward once a day of use. */
const SESSION_TTL_MS = 7 * 24 * 3600_000;
const SESSION_UPDATE_AGE_MS = 24 * 3600_000;

/**
 * The user behind a bearer token, or null when it is missing, unknown or expired. The common
 * case is a cache hit (SESSION_CACHE_MS) or one indexed query; a session due for its sliding
 * refresh goes through better-auth's `getSession`, which extends it.
 */
export async function getSessionUser(
  services: Pick<AppServices, 'db' | 'auth' | 'sessionCache'>,
  headers: Headers,
): Promise<SessionUser | null> {
  const authorization = headers.get('authorization');
  if (!authorization?.toLowerCase().startsWith('bearer ')) return null;
  const token = authorization.slice(7).trim();
  if (!token || token.includes('.')) return getSessionUserFromAuth(services, headers);
  const cached = services.sessionCache.get(token);
  if (cached) return cached;
  const session = await findSessionByToken(services.db, token);
  if (!session) return null;
  const age = SESSION_TTL_MS - (session.expiresAt.getTime() - Date.now());
  if (age >= SESSION_UPDATE_AGE_MS) return getSessionUserFromAuth(services, headers);
  services.sessionCache.set(token, session.user, session.expiresAt);
  return session.user;
}

async function getSessionUserFromAuth(services: Pick<AppServices, 'auth'>, headers: Headers) {
  const session = await services.auth.api.getSession({ headers });
  return session ? toSessionUser(session.user) : null;
}
