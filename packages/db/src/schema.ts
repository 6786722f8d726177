import type {
  ColumnType,
  Generated,
  Insertable,
  JSONColumnType,
  Selectable,
  Updateable,
} from 'kysely';

/** A timestamp the database sets (default now()); read as Date, optional on insert. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** Kept current by the `set_updated_at` trigger. */
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string | undefined>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `date` columns are read as 'YYYY-MM-DD' strings (see the pg type parser in create-db.ts). */
type DateString = ColumnType<string, string, string>;
/** numeric comes back from pg as a string, to keep precision. */
type Numeric = ColumnType<string, number | string, number | string>;

export type GoalStatus = 'generating' | 'active' | 'completed' | 'archived' | 'failed';
export type GenerationKind = 'plan' | 'revision' | 'chat' | 'public_reply';
export type GenerationStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type PlanVersionSource = 'generated' | 'revised' | 'restored' | 'edited' | 'imported';
export type MessageRole = 'user' | 'assistant';
export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'error';
export const WORKSPACE_TONES = ['professional', 'friendly', 'casual', 'warm', 'concise'] as const;
export type WorkspaceTone = (typeof WORKSPACE_TONES)[number];
export type WorkspaceType = 'individual' | 'business';
export const CONNECTOR_TYPES = ['calendly', 'square', 'agendapro'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];
export const CHANNELS = [
  'web',
  'instagram',
  'whatsapp',
  'sms',
  'messenger',
  'chatgpt',
  'phone',
] as const;
export type Channel = (typeof CHANNELS)[number];

export interface UsersTable {
  id: string;
  name: string;
  email: string;
  email_verified: Generated<boolean>;
  image: string | null;
  /** An IANA time zone ('Europe/Madrid'); 'UTC' until the person sets one. */
  timezone: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token: string;
  expires_at: Timestamp;
  ip_address: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AccountsTable {
  id: string;
  user_id: string;
  account_id: string;
  provider_id: string;
  access_token: string | null;
  refresh_token: string | null;
  id_token: string | null;
  access_token_expires_at: Timestamp | null;
  refresh_token_expires_at: Timestamp | null;
  scope: string | null;
  password: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface VerificationsTable {
  id: string;
  identifier: string;
  value: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface RateLimitsTable {
  key: string;
  points: number;
  expire: ColumnType<string | null, number | null, number | null>;
}

export interface GoalsTable {
  id: Generated<string>;
  user_id: string;
  title: string;
  /** The validated `plan.generate` input, with defaults applied. */
  requirements: JSONColumnType<Record<string, unknown>>;
  status: ColumnType<GoalStatus, GoalStatus | undefined, GoalStatus>;
  failure_code: string | null;
  failure_message: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface GenerationsTable {
  id: Generated<string>;
  user_id: string;
  goal_id: string | null;
  conversation_id: string | null;
  kind: GenerationKind;
  status: ColumnType<GenerationStatus, GenerationStatus | undefined, GenerationStatus>;
  input: JSONColumnType<Record<string, unknown>>;
  provider: string | null;
  model: string | null;
  offline: Generated<boolean>;
  attempts: Generated<number>;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  cost_usd: Numeric | null;
  error_code: string | null;
  error_message: string | null;
  started_at: Timestamp | null;
  heartbeat_at: Timestamp | null;
  finished_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PlanVersionsTable {
  id: Generated<string>;
  goal_id: string;
  user_id: string;
  version: number;
  is_current: Generated<boolean>;
  source: PlanVersionSource;
  title: string;
  summary: Generated<string>;
  /** The full plan as validated (weeks with themes, days, tasks): the immutable snapshot. */
  plan: JSONColumnType<Record<string, unknown>>;
  generation_id: string | null;
  created_at: CreatedAt;
}

export interface TasksTable {
  id: Generated<string>;
  user_id: string;
  goal_id: string | null;
  plan_version_id: string | null;
  /** Stable across plan versions, so a revision keeps completion. */
  task_key: string | null;
  week: number | null;
  day: number | null;
  title: string;
  notes: Generated<string>;
  category: string | null;
  effort_minutes: number | null;
  /** 0 low, 1 medium, 2 high, 3 urgent. */
  priority: Generated<number>;
  tags: Generated<string[]>;
  start_date: DateString | null;
  due_date: DateString | null;
  /** Time of day on the due date ('HH:MM:SS', local to the person's time zone). */
  due_time: string | null;
  /** Minutes before the due moment to remind; null: no reminder. Default 30. */
  reminder_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  /** An RFC 5545 RRULE. */
  recurrence: string | null;
  recurrence_parent_id: string | null;
  completed_at: Timestamp | null;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface StreamEventsTable {
  /** bigint identity, read as a string (pg's default for int8). */
  id: ColumnType<string, never, never>;
  generation_id: string;
  type: string;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface ConversationsTable {
  id: Generated<string>;
  user_id: string;
  goal_id: string | null;
  title: Generated<string>;
  /** Running summary of turns folded out of the prompt's history window. */
  summary: Generated<string>;
  summarized_through: Timestamp | null;
  /** Set for a public visitor conversation of a workspace (then `channel` is set too). */
  workspace_id: ColumnType<string | null, string | null | undefined, never>;
  channel: ColumnType<Channel | null, Channel | null | undefined, never>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  visitor_token_hash: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MessagesTable {
  id: Generated<string>;
  conversation_id: string;
  user_id: string;
  role: MessageRole;
  content: Generated<string>;
  parts: JSONColumnType<unknown[], string | undefined, string>;
  scope: JSONColumnType<{ week?: number; day?: number }> | null;
  status: ColumnType<MessageStatus, MessageStatus | undefined, MessageStatus>;
  idempotency_key: string | null;
  generation_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WorkspacesTable {
  id: Generated<string>;
  owner_id: string;
  handle: string;
  type: ColumnType<WorkspaceType, WorkspaceType | undefined, WorkspaceType>;
  tone: ColumnType<WorkspaceTone, WorkspaceTone | undefined, WorkspaceTone>;
  timezone: Generated<string>;
  knowledge_base: Generated<string>;
  business_name: Generated<string>;
  tagline: Generated<string>;
  bio: Generated<string>;
  phone: Generated<string>;
  website: Generated<string>;
  social_links: JSONColumnType<Record<string, string>, string | undefined, string>;
  setup_completed: Generated<boolean>;
  daily_token_budget: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WorkspaceServicesTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  description: Generated<string>;
  duration_minutes: number | null;
  price_cents: number | null;
  currency: Generated<string>;
  active: Generated<boolean>;
  position: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SchedulingConnectorsTable {
  id: Generated<string>;
  workspace_id: string;
  type: ConnectorType;
  config: JSONColumnType<Record<string, unknown>, string, string>;
  active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WorkspaceUsageTable {
  workspace_id: string;
  day: DateString;
  tokens: Generated<number>;
  replies: Generated<number>;
}

export type ChangeEntity = 'goal' | 'task' | 'plan_version' | 'notification';

/** The outbox: one row per change, written at commit by the `record_change` trigger. */
export interface ChangeEventsTable {
  /** bigint identity, read as a string; per person, ids follow commit order. */
  id: ColumnType<string, never, never>;
  user_id: string;
  entity: ChangeEntity;
  entity_id: string;
  /** `<entity>.<created|updated|deleted>`, and `task.completed` / `task.reopened`. */
  type: string;
  created_at: CreatedAt;
}

export type EmailStatus = 'pending' | 'sent' | 'logged' | 'failed' | 'skipped';

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  title: string;
  body: Generated<string>;
  task_id: string | null;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  dedupe_key: string | null;
  read_at: Timestamp | null;
  email_status: ColumnType<EmailStatus, EmailStatus | undefined, EmailStatus>;
  emailed_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface WebhooksTable {
  id: Generated<string>;
  user_id: string;
  url: string;
  event_types: string[];
  description: Generated<string>;
  secret: string;
  active: Generated<boolean>;
  /** Dispatch cursor into change_events (bigint, read as a string). */
  last_event_id: ColumnType<string, string | number | undefined, string | number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  event_id: ColumnType<string, string | number, never>;
  event_type: string;
  payload: JSONColumnType<Record<string, unknown>, string, never>;
  status: ColumnType<
    WebhookDeliveryStatus,
    WebhookDeliveryStatus | undefined,
    WebhookDeliveryStatus
  >;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhookDeliveryAttemptsTable {
  id: ColumnType<string, never, never>;
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is shown once and never stored. */
  key_hash: string;
  scopes: string[];
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: CreatedAt;
}

/** The whole database, as Kysely sees it. Table names match the migrations. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  accounts: AccountsTable;
  verifications: VerificationsTable;
  rate_limits: RateLimitsTable;
  goals: GoalsTable;
  generations: GenerationsTable;
  plan_versions: PlanVersionsTable;
  tasks: TasksTable;
  stream_events: StreamEventsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  workspaces: WorkspacesTable;
  workspace_services: WorkspaceServicesTable;
  scheduling_connectors: SchedulingConnectorsTable;
  workspace_usage: WorkspaceUsageTable;
  change_events: ChangeEventsTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  api_keys: ApiKeysTable;
}

export type User = Selectable<UsersTable>;
export type Goal = Selectable<GoalsTable>;
export type NewGoal = Insertable<GoalsTable>;
export type GoalUpdate = Updateable<GoalsTable>;
export type Generation = Selectable<GenerationsTable>;
export type PlanVersion = Selectable<PlanVersionsTable>;
export type Task = Selectable<TasksTable>;
export type NewTask = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
export type StreamEvent = Selectable<StreamEventsTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type ChangeEvent = Selectable<ChangeEventsTable>;
export type Notification = Selectable<NotificationsTable>;
export type Webhook = Selectable<WebhooksTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type ApiKey = Selectable<ApiKeysTable>;
