import { DomainError, type DomainErrorCode } from '@stepwise/core';
import { findSessionByToken } from '@stepwise/db';
import { APIError } from 'better-auth/api';
import type { SessionUser } from '../../trpc/context.js';
import type { AppServices } from '../app-services.js';

export interface AuthResult {
  token: string;
  user: SessionUser;
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

export async function signUp(
  services: AppServices,
  input: { email: string; password: string; name: string },
): Promise<AuthResult> {
  const result = await callAuth(() => services.auth.api.signUpEmail({ body: input }));
  if (!result.token) throw new DomainError('INTERNAL', 'sign-up created no session');
  return { token: result.token, user: toSessionUser(result.user) };
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
  return { token: result.token, user: toSessionUser(result.user) };
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
