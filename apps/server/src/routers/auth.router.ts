import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { signIn, signOut, signUp } from '../services/auth/auth.service.js';
import { protectedProcedure, publicProcedure } from '../trpc/init.js';

const ZEmail = z.email().max(254).trim().toLowerCase();
const ZPassword = z.string().min(8).max(128);

export const authRouter = {
  signUp: publicProcedure
    .input(
      z.object({ email: ZEmail, password: ZPassword, name: z.string().trim().min(1).max(100) }),
    )
    .mutation(({ ctx, input }) => signUp(ctx, input)),

  signIn: publicProcedure
    .input(z.object({ email: ZEmail, password: z.string().min(1).max(128) }))
    .mutation(({ ctx, input }) => signIn(ctx, { ...input, ip: ctx.ip })),

  signOut: protectedProcedure.mutation(async ({ ctx }) => {
    await signOut(ctx, ctx.headers);
    return { ok: true as const };
  }),

  me: protectedProcedure.query(({ ctx }) => ctx.user),
} satisfies TRPCRouterRecord;
