/** What a personal API key may be allowed to do; a key holds one or more. */
export const API_KEY_SCOPES = [
  'tasks:read',
  'tasks:write',
  'plans:read',
  'plans:write',
  'chat:read',
  'chat:write',
  'sync:read',
  'notifications:read',
  'notifications:write',
  'webhooks:manage',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * The one table of what an API key may call: tRPC procedure path (or `domain.*` for every
 * procedure of a domain) → the scope it needs. A procedure missing here is for signed-in
 * sessions only; so are `auth.*` and `apiKey.*` (a key never mints keys), workspaces and their
 * services and connectors. Public procedures (`health`, `public.*`) need no key at all.
 */
export const PROCEDURE_SCOPES: Readonly<Record<string, ApiKeyScope>> = {
  'task.list': 'tasks:read',
  'task.get': 'tasks:read',
  'task.stats': 'tasks:read',
  'task.create': 'tasks:write',
  'task.update': 'tasks:write',
  'task.setComplete': 'tasks:write',
  'task.delete': 'tasks:write',

  'goal.list': 'plans:read',
  'goal.get': 'plans:read',
  'goal.import': 'plans:write',
  'goal.update': 'plans:write',
  'goal.delete': 'plans:write',
  'plan.progress': 'plans:read',
  'plan.weeks': 'plans:read',
  'plan.week': 'plans:read',
  'plan.versions': 'plans:read',
  'plan.diff': 'plans:read',
  'plan.generate': 'plans:write',
  'plan.revise': 'plans:write',
  'plan.cancel': 'plans:write',
  'plan.restore': 'plans:write',

  'chat.stream': 'chat:read',
  'chat.history': 'chat:read',
  'chat.conversations': 'chat:read',
  'chat.send': 'chat:write',
  'chat.stop': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.reset': 'chat:write',

  'sync.live': 'sync:read',
  'sync.changes': 'sync:read',
  'notification.list': 'notifications:read',
  'notification.markRead': 'notifications:write',
  'webhook.*': 'webhooks:manage',
};

/** The scope a key needs to call procedure `path`; undefined when no key may call it. */
export function requiredScope(path: string): ApiKeyScope | undefined {
  const exact = PROCEDURE_SCOPES[path];
  if (exact) return exact;
  const dot = path.indexOf('.');
  return dot === -1 ? undefined : PROCEDURE_SCOPES[`${path.slice(0, dot)}.*`];
}

/**
 * Why a key with `scopes` may not call `path`, or null when it may.
 *
 * @example
 * apiKeyRefusal(['tasks:read'], 'task.create'); // "this API key lacks the scope tasks:write …"
 */
export function apiKeyRefusal(scopes: readonly string[], path: string): string | null {
  const scope = requiredScope(path);
  if (!scope) return `${path} is not available to API keys; call it with a signed-in session`;
  if (!scopes.includes(scope)) return `this API key lacks the scope ${scope} (needed by ${path})`;
  return null;
}
