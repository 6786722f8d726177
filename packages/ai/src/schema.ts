export { placeTasks } from './plan/place-tasks.js';
export {
  type TPlacedTask,
  type TPlan,
  type TPlanDay,
  type TPlanTask,
  type TPlanWeek,
  ZPlacedTask,
  ZPlan,
  ZPlanDay,
  ZPlanTask,
  ZPlanWeek,
} from './plan/plan.schema.js';
export { addDays, daysBetween, planDate, weekdayName } from './plan/plan-dates.js';
export {
  resolvePlanRequest,
  type TPlanRequest,
  type TPlanRequestParsed,
  type TPlanRequestResolved,
  ZPlanRequest,
} from './plan/plan-request.schema.js';
export { type TUsage, ZUsage } from './usage.schema.js';
