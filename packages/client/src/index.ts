import type { AppRouter, PlanProgressEvent, SyncChange } from '@stepwise/server';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';

export type { AppRouter, PlanProgressEvent, SyncChange };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { isTRPCClientError } from './is-trpc-client-error.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Any EventSource constructor tRPC's SSE link accepts: the browser's, `eventsource` in Node,
 * `rn-eventsource-reborn` in React Native.
 */
export type EventSourceConstructor = NonNullable<
  Parameters<typeof httpSubscriptionLink>[0]['EventSource']
>;

export interface StepwiseClientOptions {
  /** Server origin, e.g. `https://api.example.com` (the client adds `/trpc`). */
  url: string;
  /** The bearer token from `auth.signIn`/`auth.signUp`, read before every request. */
  getToken?: () => MaybePromise<string | null | undefined>;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /** An EventSource implementation for runtimes without one (Node 20, React Native). */
  EventSource?: EventSourceConstructor;
}

export type StepwiseClient = TRPCClient<AppRouter>;

/**
 * The typed Stepwise client: queries and mutations are batched over HTTP with the token in
 * an `Authorization: Bearer` header; subscriptions run over Server-Sent Events with the token
 * in the `token` connection parameter (EventSource cannot send headers; see the README).
 *
 * @example
 * const client = createStepwiseClient({ url: 'http://localhost:3000', getToken: () => token });
 * const { goalId, generationId } = await client.plan.generate.mutate({ goal: 'Run a 10k' });
 * client.plan.progress.subscribe({ generationId }, { onData: ({ data }) => console.log(data) });
 */
export function createStepwiseClient(options: StepwiseClientOptions): StepwiseClient {
  const url = `${options.url.replace(/\/+$/, '')}/trpc`;
  const token = async () => (await options.getToken?.()) || undefined;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
          connectionParams: async () => {
            const value = await token();
            return value ? { token: value } : null;
          },
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          headers: async () => {
            const value = await token();
            return value ? { authorization: `Bearer ${value}` } : {};
          },
        }),
      }),
    ],
  });
}
