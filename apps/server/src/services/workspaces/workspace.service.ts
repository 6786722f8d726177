import { randomBytes } from 'node:crypto';
import { DomainError } from '@stepwise/core';
import {
  type ConnectorType,
  type Database,
  insertWorkspaceIfMissing,
  type Kysely,
  type WorkspaceDto,
} from '@stepwise/db';
import { z } from 'zod';

/** Handles that would read as a part of the product, not someone's workspace. */
export const RESERVED_HANDLES = new Set([
  'about',
  'account',
  'admin',
  'api',
  'app',
  'assets',
  'auth',
  'billing',
  'blog',
  'dashboard',
  'docs',
  'health',
  'help',
  'home',
  'login',
  'logout',
  'mcp',
  'null',
  'privacy',
  'public',
  'ready',
  'root',
  'settings',
  'signin',
  'signup',
  'static',
  'status',
  'stepwise',
  'support',
  'system',
  'terms',
  'trpc',
  'undefined',
  'www',
]);

const HANDLE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const ZHandle = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(40)
  .regex(HANDLE_PATTERN, 'lowercase letters and digits in words joined by single hyphens')
  .refine((handle) => !RESERVED_HANDLES.has(handle), 'this handle is reserved');

const httpsUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain })
  .max(500)
  .describe('an https URL');

/** What each connector type needs to offer a booking link. */
export const CONNECTOR_CONFIGS = {
  calendly: z.strictObject({ link: httpsUrl }),
  square: z.strictObject({
    locationId: z.string().trim().min(1).max(64),
    bookingUrl: httpsUrl,
  }),
  agendapro: z.strictObject({
    accountSlug: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]{2,63}$/),
    bookingUrl: httpsUrl,
  }),
} satisfies Record<ConnectorType, z.ZodType>;

/** A new connector: its type and that type's config. */
export const ZConnectorInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('calendly'), config: CONNECTOR_CONFIGS.calendly }),
  z.object({ type: z.literal('square'), config: CONNECTOR_CONFIGS.square }),
  z.object({ type: z.literal('agendapro'), config: CONNECTOR_CONFIGS.agendapro }),
]);

/** Checks a connector's config against its type's shape (BAD_REQUEST with the issues). */
export function parseConnectorConfig(type: ConnectorType, config: unknown) {
  const parsed = (CONNECTOR_CONFIGS[type] as z.ZodType).safeParse(config);
  if (!parsed.success) {
    throw new DomainError('BAD_REQUEST', `invalid ${type} config`, {
      details: z.flattenError(parsed.error),
    });
  }
  return parsed.data as Record<string, unknown>;
}

/** The booking link a connector offers visitors. */
export function bookingLink(connector: { type: ConnectorType; config: Record<string, unknown> }) {
  const config = connector.config as { link?: string; bookingUrl?: string };
  return connector.type === 'calendly' ? config.link : config.bookingUrl;
}

/**
 * Handles to try for a new workspace, from the owner's email: its local part as a handle
 * (`jane.doe+x@…` → `jane-doe-x`), then with -2 … -9, then with a random suffix.
 */
export function handleCandidates(email: string): string[] {
  let base = (email.split('@')[0] ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  if (base.length < 3) base = `${base || 'coach'}-ws`.replace(/^-/, '');
  if (RESERVED_HANDLES.has(base)) base = `${base}-ws`;
  const numbered = Array.from({ length: 8 }, (_, i) => `${base}-${i + 2}`);
  const random = Array.from({ length: 5 }, () => `${base}-${randomBytes(3).toString('hex')}`);
  return [base, ...numbered, ...random];
}

/**
 * The caller's workspace, created on first call: handle from the email (unique), type
 * `individual`, tone `professional`, time zone `UTC`. Concurrent first calls get one
 * workspace (unique owner) with one handle.
 */
export async function getOrCreateWorkspace(
  db: Kysely<Database>,
  user: { id: string; email: string },
): Promise<WorkspaceDto> {
  for (const handle of handleCandidates(user.email)) {
    const workspace = await insertWorkspaceIfMissing(db, { ownerId: user.id, handle });
    if (workspace !== 'handle-taken') return workspace;
  }
  throw new DomainError('CONFLICT', 'could not find a free handle; set one with workspace.update');
}
