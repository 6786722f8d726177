import { z } from 'zod';

/** Row ids are UUIDs; anything else is a BAD_REQUEST, never a database error. */
export const ZId = z.uuid();

/** Stream event ids: the decimal string of a bigint identity. */
export const ZEventId = z
  .string()
  .regex(/^\d{1,19}$/, 'an event id is a decimal number')
  .refine((id) => BigInt(id) <= 9_223_372_036_854_775_807n, 'an event id fits in a bigint');

/**
 * A client's idempotency key: 8–100 letters, digits, `-` or `_` (a UUID fits). Other
 * characters would let one key read as another's derived key.
 */
export const ZIdempotencyKey = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** What `plan.progress` and `chat.stream` take: the generation, and where to resume. */
export const ZGenerationStreamInput = z.object({
  generationId: ZId,
  lastEventId: ZEventId.nullish(),
});

/**
 * An IANA time zone name this runtime knows ('Europe/Madrid', 'America/Argentina/Salta',
 * 'UTC'). Offsets such as '+05:00' are refused: Postgres reads POSIX offsets with the sign
 * inverted, and an offset has no daylight saving rules.
 */
export const ZTimezone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, 'an IANA time zone name')
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone');
