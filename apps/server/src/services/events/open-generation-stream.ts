import { DomainError } from '@stepwise/core';
import { findGeneration, type Generation, type GenerationKind } from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { streamGenerationEvents } from './stream-generation-events.js';

/** One of the caller's generations of the given kinds, or NOT_FOUND (also for another user's id). */
export async function findOwnGeneration(
  services: Pick<AppServices, 'db'>,
  input: { userId: string; generationId: string; kinds: GenerationKind[] },
): Promise<Generation> {
  const generation = await findGeneration(services.db, input);
  if (!generation || !input.kinds.includes(generation.kind)) {
    throw new DomainError('NOT_FOUND', 'generation not found');
  }
  return generation;
}

/**
 * The events of one of the caller's generations of the given kinds (history after
 * `lastEventId`, then live). The ownership check runs before the stream opens, so another
 * user's id fails the request itself with NOT_FOUND.
 */
export async function openGenerationStream(
  services: Pick<AppServices, 'db' | 'fanout'>,
  input: {
    userId: string;
    generationId: string;
    lastEventId?: string | null | undefined;
    kinds: GenerationKind[];
    terminalTypes: readonly string[];
    signal?: AbortSignal | undefined;
  },
) {
  const generation = await findOwnGeneration(services, input);
  return streamGenerationEvents({
    fanout: services.fanout,
    generationId: generation.id,
    lastEventId: input.lastEventId,
    terminalTypes: input.terminalTypes,
    signal: input.signal,
  });
}
