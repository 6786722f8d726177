import { detectGoalFamily, type GoalFamily } from './offline/detect-goal-family.js';
import {
  type DraftPlan,
  finishDraft,
  type PlanContext,
  planContext,
} from './offline/draft-plan.js';
import { buildEndurancePlan } from './offline/endurance-plan.js';
import { buildExamPlan } from './offline/exam-plan.js';
import { buildGenericPlan } from './offline/generic-plan.js';
import { buildLanguagePlan } from './offline/language-plan.js';
import { buildMusicPlan } from './offline/music-plan.js';
import { buildProgrammingPlan } from './offline/programming-plan.js';
import { reviseOfflinePlan } from './offline/revise-plan-offline.js';
import { buildStrengthPlan } from './offline/strength-plan.js';
import { buildWeightLossPlan } from './offline/weight-loss-plan.js';
import { buildWritingPlan } from './offline/writing-plan.js';
import type { TPlan } from './plan.schema.js';
import type { TPlanRequestResolved } from './plan-request.schema.js';

function draftFor(context: PlanContext, family: GoalFamily): DraftPlan {
  switch (family.kind) {
    case 'endurance':
      return buildEndurancePlan(context, family);
    case 'weight-loss':
      return buildWeightLossPlan(context, family.targetKg);
    case 'strength':
      return buildStrengthPlan(context, family.focus);
    case 'exam':
      return buildExamPlan(context, family.exam);
    case 'programming':
      return buildProgrammingPlan(context, family);
    case 'language':
      return buildLanguagePlan(context, family.language);
    case 'music':
      return buildMusicPlan(context, family.instrument);
    case 'writing':
      return buildWritingPlan(context, family);
    case 'generic':
      return buildGenericPlan(context, family.topic);
  }
}

/**
 * Builds an honest, deterministic plan without any LLM, for deployments without an API key.
 *
 * The goal (and notes) are matched to a family — endurance event, weight loss, strength,
 * exam, programming, language, music, writing, or a generic deliberate-practice plan — whose
 * builder writes real, progressive activities with level-dependent volume (see the builders
 * in `./offline/`). Every day fits `dailyHours`, every date lies in the timeline, and the
 * summary says that no AI model was used; the result passes `checkPlan` with no fixes.
 *
 * A revision request (`request.revision`) is applied to the current plan instead
 * (`reviseOfflinePlan`): common instructions are understood, anything else is a `BAD_REQUEST`
 * `DomainError` rather than an unchanged plan labelled as revised.
 *
 * @example
 * buildOfflinePlan(resolvePlanRequest(ZPlanRequest.parse({ goal: 'Run a 10k' }), '2025-01-06'));
 */
export function buildOfflinePlan(request: TPlanRequestResolved): TPlan {
  if (request.revision) return reviseOfflinePlan(request, request.revision);
  const context = planContext(request);
  return finishDraft(draftFor(context, detectGoalFamily(request.goal, request.notes)), context);
}
