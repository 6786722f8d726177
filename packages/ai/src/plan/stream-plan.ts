import { JSONParser, type JsonTypes, type StackElement } from '@streamparser/json';
import { type TPlacedTask, ZPlanTask } from './plan.schema.js';
import { planDate } from './plan-dates.js';

const TASK_PATH = '$.weeks.*.days.*.tasks.*';
const OPEN_THINK = /<(think|thinking|reasoning)>/i;
const CLOSED_THINK = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;

export interface StreamPlanOptions {
  /** Called once per complete, valid task, in document order, positions without gaps. */
  onTask: (task: TPlacedTask) => void;
  /** Used to date each task from its week and day; without it the model's `date` is kept. */
  startDate?: string | undefined;
  /** Tasks before this position are parsed but not emitted (they were emitted by an earlier attempt). */
  fromPosition?: number | undefined;
}

/** A push parser over one streamed answer. */
export interface PlanStream {
  /** Feeds the next chunk of `content`. Throws only what `onTask` throws. */
  write(chunk: string): void;
  /** Everything written so far. */
  readonly text: string;
  /** Position of the last emitted task, or -1. */
  readonly lastEmittedPosition: number;
}

function isObject(value: JsonTypes.JsonStruct | undefined): value is JsonTypes.JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ordinal(value: unknown, index: unknown, max = Number.POSITIVE_INFINITY): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) {
    return value;
  }
  return typeof index === 'number' ? index + 1 : 1;
}

/**
 * Parses a plan while it streams and emits each task as soon as its object closes, with its
 * week, day, date and 0-based position. Text before the JSON (prose, `<think>` blocks, an
 * opening code fence) is skipped up to the first `{` outside a reasoning block; text after the
 * JSON is ignored. Malformed JSON or a task that fails `ZPlanTask` stops the emission without
 * throwing, so emitted positions always form a gap-free prefix (the full answer is parsed again
 * by `parsePlan` at the end, and a retry resumes after the last emitted position).
 *
 * @example
 * const stream = streamPlan({ startDate: '2025-01-06', onTask: (t) => send(t) });
 * for await (const chunk of completion) stream.write(chunk.choices[0]?.delta.content ?? '');
 */
export function streamPlan(options: StreamPlanOptions): PlanStream {
  const fromPosition = options.fromPosition ?? 0;
  let text = '';
  let parser: JSONParser | undefined;
  let stopped = false;
  let nextPosition = 0;
  let lastEmittedPosition = -1;
  let callbackError: { error: unknown } | undefined;

  function emit(value: unknown, stack: StackElement[]): void {
    const position = nextPosition++;
    if (position < fromPosition) return;
    const task = ZPlanTask.safeParse(value);
    if (!task.success) {
      stopped = true;
      return;
    }
    const weekObject = stack[3]?.value;
    const dayObject = stack[5]?.value;
    const week = ordinal(isObject(weekObject) ? weekObject.week : undefined, stack[2]?.key);
    const day = ordinal(isObject(dayObject) ? dayObject.day : undefined, stack[4]?.key, 7);
    const modelDate = isObject(dayObject) ? dayObject.date : undefined;
    const date = options.startDate
      ? planDate(options.startDate, week, day)
      : typeof modelDate === 'string'
        ? modelDate
        : '';
    lastEmittedPosition = position;
    options.onTask({ ...task.data, week, day, date, position });
  }

  function startParser(): JSONParser {
    const created = new JSONParser({ paths: [TASK_PATH], keepStack: true });
    created.onValue = ({ value, stack }) => {
      if (callbackError) return;
      try {
        emit(value, stack);
      } catch (error) {
        callbackError = { error };
      }
    };
    created.onError = () => {
      stopped = true;
    };
    created.onEnd = () => {
      stopped = true;
    };
    return created;
  }

  /** The index of the first `{` outside reasoning blocks, or -1 while it may still come. */
  function findJsonStart(): number {
    const visible = text.replace(CLOSED_THINK, (block) => ' '.repeat(block.length));
    const brace = visible.indexOf('{');
    const think = visible.search(OPEN_THINK);
    if (think !== -1 && (brace === -1 || think < brace)) return -1;
    return brace;
  }

  function feed(chunk: string): void {
    if (stopped || !parser) return;
    parser.write(chunk);
    if (callbackError) {
      const { error } = callbackError;
      stopped = true;
      throw error;
    }
  }

  return {
    write(chunk: string) {
      if (chunk === '') return;
      text += chunk;
      if (parser) {
        feed(chunk);
        return;
      }
      const start = findJsonStart();
      if (start === -1) return;
      parser = startParser();
      feed(text.slice(start));
    },
    get text() {
      return text;
    },
    get lastEmittedPosition() {
      return lastEmittedPosition;
    },
  };
}
