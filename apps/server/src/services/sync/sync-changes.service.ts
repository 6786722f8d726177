import {
  type ChangeEntity,
  type GoalDto,
  type NotificationDto,
  type PlanVersionMetaDto,
  readChangePage,
  type TaskDto,
} from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { toSyncChange } from './sync-change.js';

/** What `sync.changes` answers: the latest state of what changed after `since`. */
export interface SyncChanges {
  goals: GoalDto[];
  tasks: TaskDto[];
  planVersions: PlanVersionMetaDto[];
  notifications: NotificationDto[];
  /** Entities deleted (or no longer there) since: drop them. */
  deleted: { entity: ChangeEntity; id: string }[];
  /** The last event id this answer covers: pass it back as `since` (or to `sync.live`). */
  cursor: string;
  /** More events follow: ask again with `cursor` right away. */
  hasMore: boolean;
}

/**
 * The caller's changes after event `since`, one page of `limit` events, collapsed per entity
 * to its state now: each changed entity once, as its current row, or as a tombstone when it
 * is gone (also when it was created and deleted inside the page). Rows are in the order of
 * their last event.
 *
 * @example
 * let since = '0';
 * for (let page; !page || page.hasMore; since = page.cursor) {
 *   page = await getSyncChanges(services, { userId, since, limit: 500 });
 * }
 */
export async function getSyncChanges(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; since: string; limit: number },
): Promise<SyncChanges> {
  const page = await readChangePage(services.db, {
    userId: input.userId,
    afterId: input.since,
    limit: input.limit + 1,
  });
  const hasMore = page.events.length > input.limit;
  const events = page.events.slice(0, input.limit);
  // Each entity's last event in the page, in the order of those last events.
  const last = new Map<string, (typeof events)[number]>();
  for (const event of events) {
    const key = `${event.entity}:${event.entityId}`;
    last.delete(key);
    last.set(key, event);
  }
  const answer: SyncChanges = {
    goals: [],
    tasks: [],
    planVersions: [],
    notifications: [],
    deleted: [],
    cursor: events.at(-1)?.id ?? input.since,
    hasMore,
  };
  for (const event of last.values()) {
    const change = toSyncChange(event, page.rows);
    if (change.row === null) answer.deleted.push({ entity: change.entity, id: change.id });
    else if (change.entity === 'goal') answer.goals.push(change.row);
    else if (change.entity === 'task') answer.tasks.push(change.row);
    else if (change.entity === 'plan_version') answer.planVersions.push(change.row);
    else answer.notifications.push(change.row);
  }
  return answer;
}
