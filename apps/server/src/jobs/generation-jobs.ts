import type { GenerationKind } from '@stepwise/db';
import { CHAT_REPLY_TASK } from '../services/chat/chat-send.service.js';
import { chatReplyPipeline } from '../services/chat/run-chat-reply.js';
import type {
  GenerationEvent,
  GenerationPipeline,
} from '../services/generations/run-generation.js';
import { GENERATE_PLAN_TASK } from '../services/plans/plan-generation.service.js';
import { planPipeline } from '../services/plans/run-plan-generation.js';
import { PUBLIC_REPLY_TASK } from '../services/public/public-chat.service.js';
import { publicReplyPipeline } from '../services/public/run-public-reply.js';

/**
 * The pipeline each generation job task runs (see `enqueueGeneration`). A new kind of
 * generation adds its task here: the worker then runs it and the stale sweeper can fail it.
 */
export const GENERATION_JOBS: Record<string, GenerationPipeline<GenerationEvent>> = {
  [GENERATE_PLAN_TASK]: planPipeline,
  [CHAT_REPLY_TASK]: chatReplyPipeline,
  [PUBLIC_REPLY_TASK]: publicReplyPipeline,
};

/** The pipeline that runs generations of `kind`, or undefined when none is registered. */
export function pipelineForKind(
  kind: GenerationKind,
): GenerationPipeline<GenerationEvent> | undefined {
  return Object.values(GENERATION_JOBS).find((pipeline) => pipeline.kinds.includes(kind));
}
