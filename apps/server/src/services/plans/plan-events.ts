import type { TPlacedTask } from '@stepwise/ai/schema';
import type { GoalDto, PlanVersionDto, TaskDto } from '@stepwise/db';

/** JSON as stored in the event log and sent to clients: timestamps become ISO strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

export type PlanProgressPhase = 'prompting' | 'generating' | 'parsing' | 'validating' | 'saving';

/** What `plan.progress` yields as `data`, discriminated by `type`. */
export type PlanProgressEvent =
  | { type: 'queued'; generationId: string; goalId: string }
  | { type: 'status'; phase: PlanProgressPhase; attempt: number }
  | { type: 'task'; index: number; task: TPlacedTask }
  | {
      type: 'completed';
      goal: Jsonified<GoalDto>;
      plan: Jsonified<PlanVersionDto>;
      tasks: Jsonified<TaskDto>[];
      fixes: string[];
      offline: boolean;
    }
  | { type: 'failed'; code: string; message: string };

/** `plan.progress` ends after one of these. */
export const PLAN_TERMINAL_TYPES = ['completed', 'failed'] as const;
