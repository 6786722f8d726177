import { DomainError } from '@stepwise/core';
import {
  CONNECTOR_TYPES,
  type Database,
  deleteConnector,
  findConnector,
  insertConnector,
  type Kysely,
  listConnectors,
  requireWorkspace,
  setConnectorActive,
  updateConnectorConfig,
} from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { parseConnectorConfig, ZConnectorInput } from '../services/workspaces/workspace.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const notFound = () => new DomainError('NOT_FOUND', 'connector not found');
const ZConnectorRef = z.object({ connectorId: ZId });
export const MAX_CONNECTORS = 20;

async function setActive(
  db: Kysely<Database>,
  input: { ownerId: string; connectorId: string; active: boolean },
) {
  const { connectorId, active } = input;
  const workspace = await requireWorkspace(db, input.ownerId);
  const connector = await db
    .transaction()
    .execute((trx) => setConnectorActive(trx, { workspaceId: workspace.id, connectorId, active }));
  if (!connector) throw notFound();
  return connector;
}

/**
 * Scheduling connectors (Calendly, Square, AgendaPro): where the assistant sends visitors to
 * book. A workspace has at most one active connector, held by a partial unique index.
 */
export const connectorRouter = {
  types: protectedProcedure.query(() => CONNECTOR_TYPES),

  list: protectedProcedure.query(async ({ ctx }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    return listConnectors(ctx.db, workspace.id);
  }),

  /** Adds a connector, inactive; its config is checked against its type's shape. */
  create: protectedProcedure.input(ZConnectorInput).mutation(async ({ ctx, input }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    if ((await listConnectors(ctx.db, workspace.id)).length >= MAX_CONNECTORS) {
      throw new DomainError('CONFLICT', `a workspace has at most ${MAX_CONNECTORS} connectors`);
    }
    return insertConnector(ctx.db, { workspaceId: workspace.id, ...input });
  }),

  /** Replaces a connector's config (checked against its type). */
  update: protectedProcedure
    .input(ZConnectorRef.extend({ config: z.record(z.string(), z.unknown()) }))
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const ref = { workspaceId: workspace.id, connectorId: input.connectorId };
      const existing = await findConnector(ctx.db, ref);
      if (!existing) throw notFound();
      const config = parseConnectorConfig(existing.type, input.config);
      const connector = await updateConnectorConfig(ctx.db, { ...ref, config });
      if (!connector) throw notFound();
      return connector;
    }),

  delete: protectedProcedure.input(ZConnectorRef).mutation(async ({ ctx, input }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    if (!(await deleteConnector(ctx.db, { workspaceId: workspace.id, ...input }))) {
      throw notFound();
    }
    return { connectorId: input.connectorId };
  }),

  /** Makes this the workspace's one active connector (the previous one is deactivated). */
  activate: protectedProcedure
    .input(ZConnectorRef)
    .mutation(({ ctx, input }) =>
      setActive(ctx.db, { ownerId: ctx.user.id, connectorId: input.connectorId, active: true }),
    ),

  deactivate: protectedProcedure
    .input(ZConnectorRef)
    .mutation(({ ctx, input }) =>
      setActive(ctx.db, { ownerId: ctx.user.id, connectorId: input.connectorId, active: false }),
    ),
} satisfies TRPCRouterRecord;
