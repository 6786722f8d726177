import { randomUUID } from 'node:crypto';
import type { ChatStreamEvent } from '@stepwise/server';
import { EventSource } from 'eventsource';
import { createStepwiseClient, type StepwiseClient } from '../index.js';
import { followChat, type Received, signUpClient } from './follow.js';

/** An owner with a workspace: handle, knowledge base, two services, an active Calendly link. */
export async function publish(url: string) {
  const { client } = await signUpClient(url);
  await client.workspace.me.query();
  const workspace = await client.workspace.update.mutate({
    handle: `studio-${randomUUID().slice(0, 8)}`,
    tone: 'warm',
    businessName: 'Calm Studio',
    knowledgeBase:
      'We hold yoga sessions online and in Madrid.\n\nCancellation: cancel 24 hours ahead for a full refund.',
    setupCompleted: true,
  });
  await client.service.create.mutate({
    name: 'Private yoga',
    durationMinutes: 60,
    priceCents: 5_000,
  });
  await client.service.create.mutate({ name: 'Old class', active: false });
  const connector = await client.connector.create.mutate({
    type: 'calendly',
    config: { link: 'https://calendly.com/calm-studio/60min' },
  });
  await client.connector.activate.mutate({ connectorId: connector.id });
  return { owner: client, workspace };
}

/** A visitor's typed client: no account, the visitor token as its bearer token. */
export async function visit(url: string, handle: string) {
  const anonymous = createStepwiseClient({ url, EventSource });
  const started = await anonymous.public.startConversation.mutate({ handle });
  const client = createStepwiseClient({ url, EventSource, getToken: () => started.visitorToken });
  return { ...started, client };
}

/** Follows a visitor's `public.stream` like `followChat` follows `chat.stream`. */
export function followPublic(
  client: StepwiseClient,
  input: { generationId: string; lastEventId?: string },
  stopAfter = Infinity,
): Promise<Received<ChatStreamEvent>[]> {
  return followChat(client, input, stopAfter, client.public.stream);
}
