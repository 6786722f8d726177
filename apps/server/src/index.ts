export { createApp } from './app.js';
export { type Env, loadEnv } from './env.js';
export { type RunningServer, startServer } from './server.js';
export type { ChatStreamEvent } from './services/chat/chat-events.js';
export { createServices } from './services/create-services.js';
export type { PlanProgressEvent } from './services/plans/plan-events.js';
export { type Context, createContextInner } from './trpc/context.js';
export type { AppRouter } from './trpc/root.js';
export { appRouter, createCaller } from './trpc/root.js';
