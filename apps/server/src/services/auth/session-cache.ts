import type { SessionUser } from '../../trpc/context.js';

/**
 * Bearer token → user, remembered for `ttlMs` so a burst of requests does not look the
 * session up once each. Trade-off: a session revoked on another instance is still accepted
 * here for up to `ttlMs` (sign-out on this instance forgets it at once). `ttlMs = 0` disables.
 */
export class SessionCache {
  private readonly entries = new Map<string, { user: SessionUser; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(token: string): SessionUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /** Remembers a session for at most `ttlMs`, and never past the session's own expiry. */
  set(token: string, user: SessionUser, sessionExpiresAt: Date): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, {
      user,
      until: Math.min(Date.now() + this.ttlMs, sessionExpiresAt.getTime()),
    });
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
