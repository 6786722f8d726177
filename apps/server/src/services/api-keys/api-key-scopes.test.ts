import { describe, expect, it } from 'vitest';
import { appRouter } from '../../trpc/root.js';
import { apiKeyRefusal, PROCEDURE_SCOPES, requiredScope } from './api-key-scopes.js';

/** Domains no API key may call: sign-in and keys themselves, workspace administration. */
const SESSION_ONLY = ['auth', 'apiKey', 'workspace', 'service', 'connector'];
/** Domains that take no sign-in at all. */
const NO_SIGN_IN = ['health', 'public'];

const procedurePaths = Object.keys(appRouter._def.procedures);
const domainOf = (path: string) => path.slice(0, path.indexOf('.'));

describe('API key scopes', () => {
  it('name real procedures (once their domain has any)', () => {
    for (const entry of Object.keys(PROCEDURE_SCOPES)) {
      const domain = domainOf(entry);
      const inDomain = procedurePaths.filter((path) => domainOf(path) === domain);
      if (inDomain.length === 0) continue;
      if (entry.endsWith('.*')) continue;
      expect(inDomain, `PROCEDURE_SCOPES['${entry}']`).toContain(entry);
    }
  });

  it('decide every procedure: mapped to a scope, or deliberately session-only or public', () => {
    const undecided = procedurePaths.filter((path) => {
      const domain = domainOf(path);
      if (SESSION_ONLY.includes(domain) || NO_SIGN_IN.includes(domain)) return false;
      return requiredScope(path) === undefined;
    });
    expect(undecided).toEqual([]);
    for (const domain of SESSION_ONLY) {
      for (const path of procedurePaths.filter((p) => domainOf(p) === domain)) {
        expect(requiredScope(path), path).toBeUndefined();
      }
    }
  });

  it('explains a refusal by the missing scope, or by the procedure being session-only', () => {
    expect(apiKeyRefusal(['tasks:read'], 'task.list')).toBeNull();
    expect(apiKeyRefusal(['tasks:read'], 'task.setComplete')).toBe(
      'this API key lacks the scope tasks:write (needed by task.setComplete)',
    );
    expect(apiKeyRefusal(['webhooks:manage'], 'webhook.anything')).toBeNull();
    expect(apiKeyRefusal(['tasks:write'], 'webhook.create')).toContain('webhooks:manage');
    expect(apiKeyRefusal(['tasks:read', 'tasks:write'], 'apiKey.create')).toContain(
      'signed-in session',
    );
  });
});
