import type { Logger } from '../logger.js';
import type { ApiKeyCaller } from '../services/api-keys/api-key.service.js';
import type { AppServices } from '../services/app-services.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export type Context = AppServices & {
  user: SessionUser | null;
  /**
   * Set when the caller came with a personal API key (`sk_…`) instead of a session: the
   * procedures it may call are limited by its scopes (see `protectedProcedure`).
   */
  apiKey: ApiKeyCaller | null;
  /** The bearer session token the request came with, if any. */
  sessionToken: string | null;
  /** A public chat visitor's bearer token (`sv_…`): it opens one conversation, nothing else. */
  visitorToken: string | null;
  log: Logger;
  requestId: string;
  ip: string;
  headers: Headers;
};

/**
 * The context without HTTP: what tests pass to `createCaller`.
 *
 * @example
 * const caller = createCaller(createContextInner({ services, user }));
 */
export function createContextInner(
  input: { services: AppServices; user?: SessionUser | null } & Partial<
    Pick<
      Context,
      'apiKey' | 'sessionToken' | 'visitorToken' | 'log' | 'requestId' | 'ip' | 'headers'
    >
  >,
): Context {
  const { services, ...rest } = input;
  return {
    ...services,
    user: rest.user ?? null,
    apiKey: rest.apiKey ?? null,
    sessionToken: rest.sessionToken ?? null,
    visitorToken: rest.visitorToken ?? null,
    log: rest.log ?? services.logger,
    requestId: rest.requestId ?? 'internal',
    ip: rest.ip ?? '127.0.0.1',
    headers: rest.headers ?? new Headers(),
  };
}
