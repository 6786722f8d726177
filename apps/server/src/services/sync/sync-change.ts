import type {
  ChangeAction,
  ChangedRows,
  ChangeEventRow,
  GoalDto,
  NotificationDto,
  PlanVersionMetaDto,
  TaskDto,
} from '@stepwise/db';

/** One change as `sync.live` sends it: `row` is the entity now, null once it is gone. */
type ChangeOf<Entity extends string, Row> = {
  type: 'change';
  entity: Entity;
  change: ChangeAction;
  /** The entity's id. */
  id: string;
  /** `<entity>.<change>`, e.g. `task.completed`: the event's name as webhooks see it. */
  eventType: string;
  row: Row | null;
};

/** What `sync.live` yields as `data`, discriminated by `entity` (rows as `sync.changes` has them). */
export type SyncChange =
  | ChangeOf<'goal', GoalDto>
  | ChangeOf<'task', TaskDto>
  | ChangeOf<'plan_version', PlanVersionMetaDto>
  | ChangeOf<'notification', NotificationDto>;

/** The change an event reports, with the entity's current row from the same read. */
export function toSyncChange(event: ChangeEventRow, rows: ChangedRows): SyncChange {
  const base = {
    type: 'change' as const,
    change: event.action,
    id: event.entityId,
    eventType: event.type,
  };
  const gone = event.action === 'deleted';
  switch (event.entity) {
    case 'goal':
      return {
        ...base,
        entity: 'goal',
        row: gone ? null : (rows.goals.get(event.entityId) ?? null),
      };
    case 'task':
      return {
        ...base,
        entity: 'task',
        row: gone ? null : (rows.tasks.get(event.entityId) ?? null),
      };
    case 'plan_version':
      return {
        ...base,
        entity: 'plan_version',
        row: gone ? null : (rows.planVersions.get(event.entityId) ?? null),
      };
    case 'notification':
      return {
        ...base,
        entity: 'notification',
        row: gone ? null : (rows.notifications.get(event.entityId) ?? null),
      };
  }
}
