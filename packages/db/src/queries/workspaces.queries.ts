import { DomainError } from '@stepwise/core';
import { type Selectable, sql } from 'kysely';
import type { ConnectorType, WorkspacesTable, WorkspaceTone, WorkspaceType } from '../schema.js';
import type { Db } from './stream-events.queries.js';

export interface WorkspaceDto {
  id: string;
  handle: string;
  type: WorkspaceType;
  tone: WorkspaceTone;
  timezone: string;
  knowledgeBase: string;
  profile: {
    businessName: string;
    tagline: string;
    bio: string;
    phone: string;
    website: string;
    socialLinks: Record<string, string>;
    setupCompleted: boolean;
  };
  dailyTokenBudget: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkspaceServiceDto {
  id: string;
  name: string;
  description: string;
  durationMinutes: number | null;
  priceCents: number | null;
  currency: string;
  active: boolean;
  position: number;
}

export interface ConnectorDto {
  id: string;
  type: ConnectorType;
  config: Record<string, unknown>;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type WorkspaceRow = Selectable<WorkspacesTable>;

const toWorkspaceDto = (row: WorkspaceRow): WorkspaceDto => ({
  id: row.id,
  handle: row.handle,
  type: row.type,
  tone: row.tone,
  timezone: row.timezone,
  knowledgeBase: row.knowledge_base,
  profile: {
    businessName: row.business_name,
    tagline: row.tagline,
    bio: row.bio,
    phone: row.phone,
    website: row.website,
    socialLinks: row.social_links,
    setupCompleted: row.setup_completed,
  },
  dailyTokenBudget: row.daily_token_budget,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toServiceDto = (row: {
  id: string;
  name: string;
  description: string;
  duration_minutes: number | null;
  price_cents: number | null;
  currency: string;
  active: boolean;
  position: number;
}): WorkspaceServiceDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  durationMinutes: row.duration_minutes,
  priceCents: row.price_cents,
  currency: row.currency,
  active: row.active,
  position: row.position,
});

const toConnectorDto = (row: {
  id: string;
  type: ConnectorType;
  config: Record<string, unknown>;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}): ConnectorDto => ({
  id: row.id,
  type: row.type,
  config: row.config,
  active: row.active,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Postgres' unique_violation, with the constraint it hit. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && typeof e.constraint === 'string' ? e.constraint : undefined;
}

export async function findWorkspaceByOwner(
  db: Db,
  ownerId: string,
): Promise<WorkspaceDto | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return row && toWorkspaceDto(row);
}

/** The workspace of `ownerId`; NOT_FOUND until `workspace.me` has created it. */
export async function requireWorkspace(db: Db, ownerId: string): Promise<WorkspaceDto> {
  const workspace = await findWorkspaceByOwner(db, ownerId);
  if (!workspace) throw new DomainError('NOT_FOUND', 'no workspace yet: call workspace.me first');
  return workspace;
}

export async function findWorkspaceByHandle(
  db: Db,
  handle: string,
): Promise<(WorkspaceDto & { ownerId: string }) | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .selectAll()
    .where('handle', '=', handle)
    .executeTakeFirst();
  return row && { ...toWorkspaceDto(row), ownerId: row.owner_id };
}

export async function findWorkspaceById(
  db: Db,
  id: string,
): Promise<(WorkspaceDto & { ownerId: string }) | undefined> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...toWorkspaceDto(row), ownerId: row.owner_id };
}

/**
 * Inserts the owner's workspace with `handle` unless one exists. Returns the owner's
 * workspace, or `'handle-taken'` when another workspace holds the handle (the caller tries the
 * next candidate). Concurrent calls for one owner all get the same workspace.
 */
export async function insertWorkspaceIfMissing(
  db: Db,
  input: { ownerId: string; handle: string },
): Promise<WorkspaceDto | 'handle-taken'> {
  const inserted = await db
    .insertInto('workspaces')
    .values({ owner_id: input.ownerId, handle: input.handle })
    // Any unique conflict: the owner's row (then read it) or the handle (then try another).
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return toWorkspaceDto(inserted);
  return (await findWorkspaceByOwner(db, input.ownerId)) ?? 'handle-taken';
}

export type WorkspacePatch = Partial<{
  handle: string;
  type: WorkspaceType;
  tone: WorkspaceTone;
  timezone: string;
  knowledgeBase: string;
  businessName: string;
  tagline: string;
  bio: string;
  phone: string;
  website: string;
  socialLinks: Record<string, string>;
  setupCompleted: boolean;
  dailyTokenBudget: number;
}>;

/** Updates the owner's workspace; CONFLICT when the new handle is taken. */
export async function updateWorkspace(
  db: Db,
  input: { ownerId: string; patch: WorkspacePatch },
): Promise<WorkspaceDto> {
  const p = input.patch;
  try {
    const row = await db
      .updateTable('workspaces')
      .set({
        handle: p.handle,
        type: p.type,
        tone: p.tone,
        timezone: p.timezone,
        knowledge_base: p.knowledgeBase,
        business_name: p.businessName,
        tagline: p.tagline,
        bio: p.bio,
        phone: p.phone,
        website: p.website,
        social_links: p.socialLinks === undefined ? undefined : JSON.stringify(p.socialLinks),
        setup_completed: p.setupCompleted,
        daily_token_budget: p.dailyTokenBudget,
      })
      .where('owner_id', '=', input.ownerId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'no workspace yet: call workspace.me first');
    return toWorkspaceDto(row);
  } catch (error) {
    if (uniqueViolation(error) === 'workspaces_handle_key') {
      throw new DomainError('CONFLICT', `the handle "${p.handle}" is taken`);
    }
    throw error;
  }
}

// Services

export async function listWorkspaceServices(
  db: Db,
  input: { workspaceId: string; activeOnly?: boolean },
): Promise<WorkspaceServiceDto[]> {
  const rows = await db
    .selectFrom('workspace_services')
    .selectAll()
    .where('workspace_id', '=', input.workspaceId)
    .$if(input.activeOnly === true, (q) => q.where('active', '=', true))
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(toServiceDto);
}

export interface ServiceFields {
  name: string;
  description: string;
  durationMinutes: number | null;
  priceCents: number | null;
  currency: string;
  active: boolean;
}

/** Appends a service after the workspace's last one. */
export async function insertWorkspaceService(
  db: Db,
  input: { workspaceId: string } & ServiceFields,
): Promise<WorkspaceServiceDto> {
  const row = await db
    .insertInto('workspace_services')
    .values({
      workspace_id: input.workspaceId,
      name: input.name,
      description: input.description,
      duration_minutes: input.durationMinutes,
      price_cents: input.priceCents,
      currency: input.currency,
      active: input.active,
      position: sql<number>`(SELECT coalesce(max(position), -1) + 1 FROM workspace_services WHERE workspace_id = ${input.workspaceId})`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toServiceDto(row);
}

export async function updateWorkspaceService(
  db: Db,
  input: { workspaceId: string; serviceId: string; patch: Partial<ServiceFields> },
): Promise<WorkspaceServiceDto | undefined> {
  const p = input.patch;
  const row = await db
    .updateTable('workspace_services')
    .set({
      name: p.name,
      description: p.description,
      duration_minutes: p.durationMinutes,
      price_cents: p.priceCents,
      currency: p.currency,
      active: p.active,
    })
    .where('id', '=', input.serviceId)
    .where('workspace_id', '=', input.workspaceId)
    .returningAll()
    .executeTakeFirst();
  return row && toServiceDto(row);
}

export async function deleteWorkspaceService(
  db: Db,
  input: { workspaceId: string; serviceId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('workspace_services')
    .where('id', '=', input.serviceId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Puts the workspace's services in the order of `serviceIds` (every one of them, once). */
export async function reorderWorkspaceServices(
  trx: Db,
  input: { workspaceId: string; serviceIds: string[] },
): Promise<WorkspaceServiceDto[]> {
  const current = await trx
    .selectFrom('workspace_services')
    .select('id')
    .where('workspace_id', '=', input.workspaceId)
    .forUpdate()
    .execute();
  const ids = new Set(current.map((r) => r.id));
  if (
    input.serviceIds.length !== ids.size ||
    new Set(input.serviceIds).size !== ids.size ||
    input.serviceIds.some((id) => !ids.has(id))
  ) {
    throw new DomainError('BAD_REQUEST', "give every one of the workspace's services, once");
  }
  if (input.serviceIds.length > 0) {
    await sql`
      UPDATE workspace_services AS s SET position = o.position - 1
      FROM unnest(${input.serviceIds}::uuid[]) WITH ORDINALITY AS o(id, position)
      WHERE s.id = o.id AND s.workspace_id = ${input.workspaceId}`.execute(trx);
  }
  return listWorkspaceServices(trx, { workspaceId: input.workspaceId });
}

// Scheduling connectors

export async function listConnectors(db: Db, workspaceId: string): Promise<ConnectorDto[]> {
  const rows = await db
    .selectFrom('scheduling_connectors')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toConnectorDto);
}

export async function findActiveConnector(
  db: Db,
  workspaceId: string,
): Promise<ConnectorDto | undefined> {
  const row = await db
    .selectFrom('scheduling_connectors')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('active', '=', true)
    .executeTakeFirst();
  return row && toConnectorDto(row);
}

export async function insertConnector(
  db: Db,
  input: { workspaceId: string; type: ConnectorType; config: Record<string, unknown> },
): Promise<ConnectorDto> {
  const row = await db
    .insertInto('scheduling_connectors')
    .values({
      workspace_id: input.workspaceId,
      type: input.type,
      config: JSON.stringify(input.config),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConnectorDto(row);
}

export async function findConnector(
  db: Db,
  input: { workspaceId: string; connectorId: string },
): Promise<ConnectorDto | undefined> {
  const row = await db
    .selectFrom('scheduling_connectors')
    .selectAll()
    .where('id', '=', input.connectorId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  return row && toConnectorDto(row);
}

export async function updateConnectorConfig(
  db: Db,
  input: { workspaceId: string; connectorId: string; config: Record<string, unknown> },
): Promise<ConnectorDto | undefined> {
  const row = await db
    .updateTable('scheduling_connectors')
    .set({ config: JSON.stringify(input.config) })
    .where('id', '=', input.connectorId)
    .where('workspace_id', '=', input.workspaceId)
    .returningAll()
    .executeTakeFirst();
  return row && toConnectorDto(row);
}

export async function deleteConnector(
  db: Db,
  input: { workspaceId: string; connectorId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('scheduling_connectors')
    .where('id', '=', input.connectorId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Makes one connector the workspace's active one (any other is deactivated) or deactivates
 * it. Activations of one workspace queue on its row; the partial unique index
 * `scheduling_connectors_one_active_idx` holds the rule whatever runs. Run it in a transaction.
 */
export async function setConnectorActive(
  trx: Db,
  input: { workspaceId: string; connectorId: string; active: boolean },
): Promise<ConnectorDto | undefined> {
  await trx
    .selectFrom('workspaces')
    .select('id')
    .where('id', '=', input.workspaceId)
    .forUpdate()
    .execute();
  // An unknown or foreign id changes nothing (the active connector stays active).
  if (!(await findConnector(trx, input))) return undefined;
  if (input.active) {
    await trx
      .updateTable('scheduling_connectors')
      .set({ active: false })
      .where('workspace_id', '=', input.workspaceId)
      .where('active', '=', true)
      .where('id', '!=', input.connectorId)
      .execute();
  }
  const row = await trx
    .updateTable('scheduling_connectors')
    .set({ active: input.active })
    .where('id', '=', input.connectorId)
    .where('workspace_id', '=', input.workspaceId)
    .returningAll()
    .executeTakeFirst();
  return row && toConnectorDto(row);
}
