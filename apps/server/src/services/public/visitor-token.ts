import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'sv_';

/** A new visitor token and the hash stored in its conversation (the token itself is not). */
export function newVisitorToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashVisitorToken(token) };
}

export function isVisitorToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export function hashVisitorToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
