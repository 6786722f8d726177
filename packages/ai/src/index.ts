export {
  buildChatMessages,
  type ChatPromptInput,
  type ChatScope,
  type ChatTask,
  type ChatTurn,
  type PlanProgressTask,
  summarizePlan,
} from './chat/chat.prompt.js';
export {
  estimateTokens,
  type FittedHistory,
  type FoldOptions,
  fitHistory,
  foldIntoSummary,
} from './chat/chat-history.js';
export {
  answerOffline,
  OFFLINE_NOTICE,
  type OfflineAnswer,
  type OfflineIntent,
  type OfflineQuestion,
} from './chat/offline-assistant.js';
export {
  type ChatFinishReason,
  type ChatReply,
  type ChatToolCallEvent,
  type ChatToolResultEvent,
  type StreamChatReplyOptions,
  streamChatReply,
} from './chat/stream-reply.js';
export {
  type AgentTool,
  CHAT_TOOLS,
  type ChatTool,
  type ChatToolArgs,
  type ChatToolCall,
  type ChatToolName,
  chatToolSpecs,
  type ParsedToolArguments,
  parseToolArguments,
  type TAddTaskArgs,
  type TCompleteTaskArgs,
  type TDeleteTaskArgs,
  type TListTasksArgs,
  type ToolCallOf,
  type TRevisePlanArgs,
  type TUpdateTaskArgs,
  ZAddTaskArgs,
  ZCompleteTaskArgs,
  ZDeleteTaskArgs,
  ZListTasksArgs,
  ZRevisePlanArgs,
  ZUpdateTaskArgs,
} from './chat/tools.js';
export { type CheckedPlan, checkPlan } from './plan/check-plan.js';
export { type ExtractedJson, extractJson, stripThinkBlocks } from './plan/extract-json.js';
export {
  type GeneratedPlan,
  type GeneratePlanOptions,
  generatePlan,
  type PlanPhase,
} from './plan/generate-plan.js';
export { buildOfflinePlan } from './plan/offline-planner.js';
export {
  type ParsePlanOptions,
  type ParsePlanResult,
  type PlanIssue,
  type PlanParseFailure,
  parsePlan,
} from './plan/parse-plan.js';
export { buildPlanMessages, type PlanPromptOptions } from './plan/plan.prompt.js';
export { planJsonSchema, planResponseFormat } from './plan/plan-response-format.js';
export { type PlanStream, type StreamPlanOptions, streamPlan } from './plan/stream-plan.js';
export { type AiConfig, type AiConfigInput, resolveAiConfig } from './providers/ai-config.js';
export { classifyLlmError, type LlmFailure } from './providers/classify-llm-error.js';
export { createOpenAIClient } from './providers/create-openai-client.js';
export {
  LlmCallPolicy,
  type LlmCallPolicyOptions,
  type LlmRequest,
  type LlmResponse,
} from './providers/llm-call-policy.js';
export {
  detectProvider,
  PROVIDER_NAMES,
  PROVIDER_PROFILES,
  type ProviderName,
  type ProviderProfile,
  type StructuredOutputMode,
  type TokenPrice,
} from './providers/provider-profiles.js';
export {
  type StreamCompletionOptions,
  type StreamCompletionResult,
  streamCompletion,
} from './providers/stream-completion.js';
export {
  answerPublicOffline,
  buildPublicMessages,
  formatPrice,
  formatService,
  PUBLIC_OFFLINE_NOTICE,
  PUBLIC_TOOLS,
  type PublicAssistantContext,
  type PublicOfflineAnswer,
  type PublicTool,
  relevantKnowledge,
} from './public/public-assistant.js';
export * from './schema.js';
export { type ApiUsage, addUsage, emptyUsage, toUsage } from './usage.js';
