export { type ExamplePlanOptions, examplePlan } from './example-plan.js';
export {
  type MockOpenAI,
  type MockOpenAIOptions,
  type MockRequestBody,
  startMockOpenAI,
} from './mock-openai.js';
export type { MockStep, MockUsage } from './mock-steps.js';
export { type PlanStepOptions, planSteps } from './plan-steps.js';
