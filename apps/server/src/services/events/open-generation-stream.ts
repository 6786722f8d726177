import { DomainError } from '@stepwise/core';
import { findGeneration, type GenerationKind, type StreamEventRow } from '@stepwise/db';
import type { AppServices } from '../app-services.js';
import { streamGenerationEvents } from './stream-generation-events.js';

/**
 * The events of one of the caller's generations of the given kinds (history after
 * `lastEventId`, then live). The ownership check runs before the stream opens, so another
 * user's id fails the request itself with NOT_FOUND.
 */
export async function openGenerationStream(
  services: Pick<AppServices, 'db' | 'hub' | 'shutdown'>,
  input: {
    userId: string;
    generationId: string;
    lastEventId?: string | null | undefined;
    kinds: GenerationKind[];
    isTerminal: (type: string) => boolean;
    signal?: AbortSignal | undefined;
  },
): Promise<AsyncGenerator<StreamEventRow>> {
  const generation = await findGeneration(services.db, input);
  if (!generation || !input.kinds.includes(generation.kind)) {
    throw new DomainError('NOT_FOUND', 'generation not found');
  }
  return streamGenerationEvents({
    db: services.db,
    hub: services.hub,
    generationId: generation.id,
    lastEventId: input.lastEventId ?? undefined,
    isTerminal: input.isTerminal,
    signals: [input.signal, services.shutdown.signal],
  });
}
