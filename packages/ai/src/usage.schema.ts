import { z } from 'zod';

/** Token usage and cost of one generation, summed over all its LLM calls. */
export const ZUsage = z.object({
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  totalTokens: z.number().int().min(0),
  /** `null` when the provider reports no cost and no price is known for the model. */
  costUsd: z.number().min(0).nullable(),
});
export type TUsage = z.infer<typeof ZUsage>;
