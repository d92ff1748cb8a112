import { z } from 'zod';
import { CATALOG_PACKAGE, CATALOG_RELEASED_ON, CATALOG_VERSION, catalogPrices } from './catalog';
import type { ResolvedPrices } from './types';

export type { ResolvedPrices, TokenPrices } from './types';
export { CATALOG_PACKAGE, CATALOG_RELEASED_ON, CATALOG_VERSION, catalogPrices } from './catalog';

const usdPerMillion = z.number().nonnegative();

/**
 * Prices that replace the catalog's for one model: a negotiated discount, provisioned throughput
 * expressed per token, or a model the catalog does not know. Missing cache prices are the catalog's
 * when it knows the model, else the input price (no prompt caching).
 */
export const priceOverrideSchema = z.strictObject({
  /** USD per million uncached input tokens. */
  input: usdPerMillion,
  /** USD per million output tokens. */
  output: usdPerMillion,
  /** USD per million cache-read input tokens. */
  cacheRead: usdPerMillion.optional(),
  /** USD per million cache-write input tokens. */
  cacheWrite: usdPerMillion.optional(),
  /** When these prices were agreed or checked (YYYY-MM-DD); shown in every cost verdict. */
  date: z.iso.date(),
  /** Where the prices come from (a contract, a pricing page…). @default policy override */
  source: z.string().min(1).optional(),
});
export type PriceOverride = z.output<typeof priceOverrideSchema>;

const catalogName = `${CATALOG_PACKAGE} ${CATALOG_VERSION}`;

/**
 * The prices of `modelId`: the override when given, else the catalog's; undefined when neither
 * knows the model (the schema turns that into an error naming where to put an override).
 */
export function resolvePrices(modelId: string, override?: PriceOverride): ResolvedPrices | undefined {
  const catalog = catalogPrices(modelId);
  if (override) {
    return {
      input: override.input,
      output: override.output,
      cacheRead: override.cacheRead ?? catalog?.prices.cacheRead ?? override.input,
      cacheWrite: override.cacheWrite ?? catalog?.prices.cacheWrite ?? override.input,
      source: override.source ?? 'policy override',
      date: override.date,
    };
  }
  if (!catalog) return undefined;
  return { ...catalog.prices, source: `${catalogName} (${catalog.matched})`, date: CATALOG_RELEASED_ON };
}

/** The message for a model neither the catalog nor an override prices. */
export function unknownModelMessage(modelId: string, overrideWhere: string): string {
  return (
    `model "${modelId}" is not in the price catalog (${catalogName}); check the id (Bedrock model ids and ` +
    `inference profiles such as "us.anthropic.claude-sonnet-4-20250514-v1:0" are known) or give its prices in ` +
    `${overrideWhere}: { input, output, cacheRead, cacheWrite, date } (USD per million tokens)`
  );
}
