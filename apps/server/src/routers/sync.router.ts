import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { findLiveStart, streamLiveChanges } from '../services/sync/open-live-changes.js';
import { getSyncChanges } from '../services/sync/sync-changes.service.js';
import { protectedProcedure } from '../trpc/init.js';
import { ZEventId } from './ids.js';

/**
 * What `sync.live` takes: where to resume (a `sync.changes` cursor or the last event id got).
 * Without it the feed starts now. `subscription-streams.ts` serves it over SSE too.
 */
export const ZSyncLiveInput = z.strictObject({ lastEventId: ZEventId.nullish() }).optional();

export const syncRouter = {
  /**
   * What changed after event `since` ('0': everything), collapsed per entity to its state now:
   * `{ goals, tasks, planVersions, notifications, deleted, cursor, hasMore }`. Pass `cursor`
   * back as `since` until `hasMore` is false, then to `sync.live` as `lastEventId`.
   */
  changes: protectedProcedure
    .input(
      z.strictObject({
        since: ZEventId.default('0'),
        limit: z.number().int().min(1).max(1_000).default(500),
      }),
    )
    .query(({ ctx, input }) => getSyncChanges(ctx, { userId: ctx.user.id, ...input })),

  /**
   * Every change to the caller's goals, tasks, plan versions and notifications, as
   * `tracked(eventId, { type: 'change', entity, change, id, eventType, row })`, to every
   * device: those after `lastEventId`, then live ones. Reconnects resume from the last id.
   */
  live: protectedProcedure.input(ZSyncLiveInput).subscription(async ({ ctx, input, signal }) => {
    const afterId = await findLiveStart(ctx, {
      userId: ctx.user.id,
      lastEventId: input?.lastEventId,
    });
    const changes = streamLiveChanges({
      feed: ctx.changeFeed,
      userId: ctx.user.id,
      afterId,
      signal,
    });
    return (async function* () {
      for await (const { eventId, change } of changes) yield tracked(eventId, change);
    })();
  }),
} satisfies TRPCRouterRecord;
