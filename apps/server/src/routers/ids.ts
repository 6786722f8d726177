import { z } from 'zod';

/** Row ids are UUIDs; anything else is a BAD_REQUEST, never a database error. */
export const ZId = z.uuid();

/** Stream event ids: the decimal string of a bigint identity. */
export const ZEventId = z
  .string()
  .regex(/^\d{1,19}$/, 'an event id is a decimal number')
  .refine((id) => BigInt(id) <= 9_223_372_036_854_775_807n, 'an event id fits in a bigint');

/** What `plan.progress` and `chat.stream` take: the generation, and where to resume. */
export const ZGenerationStreamInput = z.object({
  generationId: ZId,
  lastEventId: ZEventId.nullish(),
});
