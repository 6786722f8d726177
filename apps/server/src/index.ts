export type { AppRouter } from './trpc/root.js';
export { appRouter, createCaller } from './trpc/root.js';
export { createApp } from './app.js';
export { loadEnv, type Env } from './env.js';
export { startServer, type RunningServer } from './server.js';
export { createContextInner, type Context } from './trpc/context.js';
export { createServices } from './services/create-services.js';
