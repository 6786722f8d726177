import { DomainError } from '@stepwise/core';
import {
  deleteWorkspaceService,
  insertWorkspaceService,
  listWorkspaceServices,
  reorderWorkspaceServices,
  requireWorkspace,
  updateWorkspaceService,
} from '@stepwise/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from '../trpc/init.js';
import { ZId } from './ids.js';

const ZServiceFields = z.object({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(2_000),
  durationMinutes: z.number().int().min(5).max(1_440).nullable(),
  /** In the currency's smallest unit (cents). */
  priceCents: z.number().int().min(0).max(100_000_000).nullable(),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
  active: z.boolean(),
});

const ZNewService = ZServiceFields.extend({
  description: ZServiceFields.shape.description.default(''),
  durationMinutes: ZServiceFields.shape.durationMinutes.default(null),
  priceCents: ZServiceFields.shape.priceCents.default(null),
  currency: ZServiceFields.shape.currency.default('USD'),
  active: ZServiceFields.shape.active.default(true),
});

const notFound = () => new DomainError('NOT_FOUND', 'service not found');
export const MAX_SERVICES = 100;

/** The services a workspace offers, in the owner's order; the assistant lists active ones. */
export const serviceRouter = {
  list: protectedProcedure.query(async ({ ctx }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    return listWorkspaceServices(ctx.db, { workspaceId: workspace.id });
  }),

  create: protectedProcedure.input(ZNewService).mutation(async ({ ctx, input }) => {
    const workspace = await requireWorkspace(ctx.db, ctx.user.id);
    // Every active service goes into every prompt of the assistant.
    const existing = await listWorkspaceServices(ctx.db, { workspaceId: workspace.id });
    if (existing.length >= MAX_SERVICES) {
      throw new DomainError('CONFLICT', `a workspace offers at most ${MAX_SERVICES} services`);
    }
    return insertWorkspaceService(ctx.db, { workspaceId: workspace.id, ...input });
  }),

  update: protectedProcedure
    .input(
      z.object({
        serviceId: ZId,
        patch: ZServiceFields.strict()
          .partial()
          .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
            message: 'give a field to change',
          }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      const service = await updateWorkspaceService(ctx.db, {
        workspaceId: workspace.id,
        serviceId: input.serviceId,
        patch: input.patch,
      });
      if (!service) throw notFound();
      return service;
    }),

  delete: protectedProcedure
    .input(z.object({ serviceId: ZId }))
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      if (!(await deleteWorkspaceService(ctx.db, { workspaceId: workspace.id, ...input }))) {
        throw notFound();
      }
      return { serviceId: input.serviceId };
    }),

  /** Sets the order: every service id of the workspace, once, first to last. */
  reorder: protectedProcedure
    .input(z.object({ serviceIds: z.array(ZId).max(200) }))
    .mutation(async ({ ctx, input }) => {
      const workspace = await requireWorkspace(ctx.db, ctx.user.id);
      return ctx.db.transaction().execute((trx) =>
        reorderWorkspaceServices(trx, {
          workspaceId: workspace.id,
          serviceIds: input.serviceIds,
        }),
      );
    }),
} satisfies TRPCRouterRecord;
