import { randomBytes } from 'node:crypto';
import type { ChatStreamEvent, PlanProgressEvent } from '@stepwise/server';
import { EventSource } from 'eventsource';
import { createStepwiseClient, type StepwiseClient } from '../index.js';

export type Received<T> = { id: string; data: T };

/**
 * A client signed up as a new user on `url` (Node's EventSource for subscriptions). More
 * clients on other instances can share its token through `clientOn`.
 */
export async function signUpClient(url: string): Promise<{
  client: StepwiseClient;
  clientOn(url: string): StepwiseClient;
  user: { id: string; email: string; name: string };
  email: string;
}> {
  let token: string | undefined;
  const clientOn = (other: string) =>
    createStepwiseClient({ url: other, getToken: () => token, EventSource });
  const client = clientOn(url);
  const email = `http-${randomBytes(4).toString('hex')}@example.test`;
  const result = await client.auth.signUp.mutate({ email, password: 'long enough', name: 'Http' });
  token = result.token;
  return { client, clientOn, user: result.user, email };
}

/**
 * Follows `plan.progress` until `completed`/`failed`, or until `stopAfter` events (then
 * unsubscribes: a cut connection).
 */
export function followPlan(
  client: StepwiseClient,
  input: { generationId: string; lastEventId?: string },
  stopAfter = Infinity,
): Promise<Received<PlanProgressEvent>[]> {
  return new Promise((resolve, reject) => {
    const received: Received<PlanProgressEvent>[] = [];
    const sub = client.plan.progress.subscribe(input, {
      onData: ({ id, data }) => {
        received.push({ id, data });
        if (data.type === 'completed' || data.type === 'failed' || received.length >= stopAfter) {
          sub.unsubscribe();
          resolve(received);
        }
      },
      onError: reject,
    });
  });
}

/**
 * Follows `chat.stream` (or another reply stream of the same events, e.g.
 * `client.public.stream`) until `end`/`error`, or until `stopAfter` events.
 */
export function followChat(
  client: StepwiseClient,
  input: { generationId: string; lastEventId?: string },
  stopAfter = Infinity,
  stream: Pick<StepwiseClient['chat']['stream'], 'subscribe'> = client.chat.stream,
): Promise<Received<ChatStreamEvent>[]> {
  return new Promise((resolve, reject) => {
    const received: Received<ChatStreamEvent>[] = [];
    const sub = stream.subscribe(input, {
      onData: ({ id, data }) => {
        received.push({ id, data });
        if (data.type === 'end' || data.type === 'error' || received.length >= stopAfter) {
          sub.unsubscribe();
          resolve(received);
        }
      },
      onError: reject,
    });
  });
}

/** The reply text carried by a chat stream's `delta` events. */
export const replyText = (events: Received<ChatStreamEvent>[]) =>
  events.map((e) => (e.data.type === 'delta' ? e.data.text : '')).join('');
