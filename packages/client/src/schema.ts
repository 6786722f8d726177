// The plan and request schemas (zod), for validating forms before calling the API. A separate
// entry point so that apps which do not need them do not ship zod.
export * from '@stepwise/ai/schema';
