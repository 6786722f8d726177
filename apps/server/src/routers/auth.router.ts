import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  getProfile,
  signIn,
  signOut,
  signUp,
  updateProfile,
} from '../services/auth/auth.service.js';
import { ZProfile } from '../services/openapi/rest-schemas.js';
import { protectedProcedure, publicProcedure } from '../trpc/init.js';
import { ZTimezone } from './ids.js';

const ZEmail = z.email().max(254).trim().toLowerCase();
const ZPassword = z.string().min(8).max(128);
const ZName = z.string().trim().min(1).max(100);

export const authRouter = {
  /** `{ token, user }`: the bearer token and the profile, as `me` answers it. */
  signUp: publicProcedure
    .input(
      z.object({
        email: ZEmail,
        password: ZPassword,
        name: ZName,
        timezone: ZTimezone.optional().describe("IANA time zone, e.g. the device's; default 'UTC'"),
      }),
    )
    .mutation(({ ctx, input }) => signUp(ctx, input)),

  signIn: publicProcedure
    .input(z.object({ email: ZEmail, password: z.string().min(1).max(128) }))
    .mutation(({ ctx, input }) => signIn(ctx, { ...input, ip: ctx.ip })),

  signOut: protectedProcedure.mutation(async ({ ctx }) => {
    await signOut(ctx, ctx.headers);
    return { ok: true as const };
  }),

  /** `{ id, email, name, timezone }`. */
  me: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/me',
        tags: ['auth'],
        summary: 'The signed-in person',
        protect: true,
      },
      response: ZProfile,
    })
    .query(({ ctx }) => getProfile(ctx, ctx.user.id)),

  /** Name and/or IANA time zone ('Europe/Madrid'); returns the profile as `me` does. */
  updateProfile: protectedProcedure
    .input(z.strictObject({ name: ZName.optional(), timezone: ZTimezone.optional() }))
    .mutation(({ ctx, input }) =>
      updateProfile(ctx, { userId: ctx.user.id, sessionToken: ctx.sessionToken, ...input }),
    ),
} satisfies TRPCRouterRecord;
