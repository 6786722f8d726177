import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { ChangeEntity } from '../schema.js';
import {
  type GoalDto,
  type NotificationDto,
  type PlanVersionDto,
  type TaskDto,
  toGoalDto,
  toNotificationDto,
  toTaskDto,
} from './dto.js';
import { prepared } from './prepared.js';
import type { Db } from './stream-events.queries.js';

/** What happened to the entity: the part of the event type after the entity's name. */
export type ChangeAction = 'created' | 'updated' | 'deleted' | 'completed' | 'reopened';

/** One row of `change_events`, the outbox the `record_change` trigger writes at commit. */
export interface ChangeEventRow {
  /** The cursor: a bigint as a decimal string; per person, ids follow commit order. */
  id: string;
  entity: ChangeEntity;
  entityId: string;
  /** `<entity>.<action>`, e.g. `task.completed`. */
  type: string;
  action: ChangeAction;
  createdAt: Date;
}

/** A plan version as sync carries it: its metadata, without the (large) plan snapshot. */
export type PlanVersionMetaDto = Omit<PlanVersionDto, 'plan' | 'generationId'>;

/** The current rows of the entities a page of events names (those that still exist). */
export interface ChangedRows {
  goals: Map<string, GoalDto>;
  tasks: Map<string, TaskDto>;
  planVersions: Map<string, PlanVersionMetaDto>;
  notifications: Map<string, NotificationDto>;
}

export interface ChangePage {
  events: ChangeEventRow[];
  rows: ChangedRows;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/**
 * One statement: the page of events (a CTE) and the current rows of every entity it names,
 * each kind aggregated as JSON. Events and rows come from one snapshot, in one round trip.
 */
const changePage = prepared((db, userId: string, afterId: string, limit: number) =>
  db
    .with('ev', (qb) =>
      qb
        .selectFrom('change_events')
        .select(['id', 'entity', 'entity_id', 'type', 'created_at'])
        .where('user_id', '=', userId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit),
    )
    .selectNoFrom((eb) => {
      const changed = (entity: ChangeEntity) =>
        eb.selectFrom('ev').select('ev.entity_id').where('ev.entity', '=', entity);
      return [
        jsonArrayFrom(
          eb
            .selectFrom('ev')
            // As text: JSON numbers lose a bigint's precision past 2^53.
            .select([
              sql<string>`ev.id::text`.as('id'),
              'ev.entity',
              'ev.entity_id',
              'ev.type',
              'ev.created_at',
            ])
            .orderBy('ev.id'),
        ).as('events'),
        jsonArrayFrom(
          eb
            .selectFrom('goals')
            .selectAll('goals')
            .where('goals.user_id', '=', userId)
            .where('goals.id', 'in', changed('goal')),
        ).as('goals'),
        jsonArrayFrom(
          eb
            .selectFrom('tasks')
            .selectAll('tasks')
            .where('tasks.user_id', '=', userId)
            .where('tasks.id', 'in', changed('task')),
        ).as('tasks'),
        jsonArrayFrom(
          eb
            .selectFrom('plan_versions')
            .select([
              'plan_versions.id',
              'plan_versions.goal_id',
              'plan_versions.version',
              'plan_versions.is_current',
              'plan_versions.source',
              'plan_versions.title',
              'plan_versions.summary',
              'plan_versions.created_at',
            ])
            .where('plan_versions.user_id', '=', userId)
            .where('plan_versions.id', 'in', changed('plan_version')),
        ).as('plan_versions'),
        jsonArrayFrom(
          eb
            .selectFrom('notifications')
            .select([
              'notifications.id',
              'notifications.kind',
              'notifications.title',
              'notifications.body',
              'notifications.task_id',
              'notifications.data',
              'notifications.read_at',
              'notifications.email_status',
              'notifications.created_at',
            ])
            .where('notifications.user_id', '=', userId)
            .where('notifications.id', 'in', changed('notification')),
        ).as('notifications'),
      ];
    }),
);

/**
 * A person's change events after `afterId` (at most `limit`, oldest first) with the current
 * rows of the entities they name, read in one statement. A row is missing when the entity no
 * longer exists (deleted in this page or later); plan versions come without their snapshot.
 *
 * @example
 * const { events, rows } = await readChangePage(db, { userId, afterId: '0', limit: 500 });
 * const task = rows.tasks.get(events[0].entityId);
 */
export async function readChangePage(
  db: Db,
  input: { userId: string; afterId: string; limit: number },
): Promise<ChangePage> {
  const [row] = await changePage.execute(db, input.userId, input.afterId, input.limit);
  if (!row) return { events: [], rows: emptyRows() };
  return {
    events: row.events.map((e) => ({
      id: e.id,
      entity: e.entity,
      entityId: e.entity_id,
      type: e.type,
      action: e.type.slice(e.entity.length + 1) as ChangeAction,
      createdAt: date(e.created_at),
    })),
    rows: {
      goals: new Map(row.goals.map((g) => [g.id, toGoalDto(g)])),
      tasks: new Map(row.tasks.map((t) => [t.id, toTaskDto(t)])),
      planVersions: new Map(
        row.plan_versions.map((p) => [
          p.id,
          {
            id: p.id,
            goalId: p.goal_id,
            version: p.version,
            isCurrent: p.is_current,
            source: p.source,
            title: p.title,
            summary: p.summary,
            createdAt: date(p.created_at),
          },
        ]),
      ),
      notifications: new Map(row.notifications.map((n) => [n.id, toNotificationDto(n)])),
    },
  };
}

const emptyRows = (): ChangedRows => ({
  goals: new Map(),
  tasks: new Map(),
  planVersions: new Map(),
  notifications: new Map(),
});

/** The id of a person's latest change event, '0' when there is none: where "now" starts. */
export async function getLatestChangeEventId(db: Db, userId: string): Promise<string> {
  const row = await db
    .selectFrom('change_events')
    .select(sql<string | null>`max(id)::text`.as('id'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.id ?? '0';
}
