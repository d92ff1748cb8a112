import { calcPrice } from '@pydantic/genai-prices';
import type { TokenPrices } from './types';

/**
 * The maintained price catalog: `@pydantic/genai-prices`, pinned to one exact version in
 * package.json. Why this one (docs/cost.md has the comparison): it knows Bedrock model ids *and*
 * the cross-region inference profiles (`us.`, `eu.`, `apac.`, `global.`, priced as AWS prices them),
 * the Anthropic and OpenAI API names, cache-read and cache-write prices, and it is released often.
 * It is about 480 KB minified, so it is read when the policy is validated (synth time, the CLI),
 * never by the Lambdas: the resolved prices travel in the validated policy.
 *
 * Bumping the catalog: change the exact version in package.json and both constants below in one
 * commit (a test checks the installed version against `CATALOG_VERSION`).
 */
export const CATALOG_PACKAGE = '@pydantic/genai-prices';
export const CATALOG_VERSION = '0.1.8';
/** Publication date of `CATALOG_VERSION` on the npm registry (`npm view @pydantic/genai-prices time`). */
export const CATALOG_RELEASED_ON = '2026-09-23';

/**
 * Providers tried in order: Bedrock first (this evaluator's model ids are Bedrock ids), then the
 * catalog's own matching of provider by model name (Anthropic and OpenAI API names).
 */
const PROVIDERS: readonly (string | undefined)[] = ['aws', undefined];

/**
 * Tokens per probe: small enough to stay below long-context tiers (Anthropic bills prompts over
 * 200k tokens at a higher rate per request; a per-period sum cannot tell which requests were long,
 * so the base tier is used, and a policy override can state another).
 */
const PROBE = 1000;

export interface CatalogEntry {
  readonly prices: TokenPrices;
  /** Which catalog provider and model matched, e.g. `aws: regional.anthropic.claude-sonnet-4-20250514-v1:0`. */
  readonly matched: string;
}

/**
 * Unit prices of a model from the catalog, or undefined when the catalog does not know it.
 * Prices are read through the catalog's own calculator, so its semantics hold: a cache token without
 * a price of its own (a model without prompt caching) is billed as input.
 */
export function catalogPrices(modelId: string): CatalogEntry | undefined {
  for (const providerId of PROVIDERS) {
    const options = providerId ? { providerId } : undefined;
    // The catalog counts cache tokens inside `input_tokens` (OpenAI style); Bedrock's InputTokenCount
    // excludes them (Anthropic style), hence input + cache in the probes below.
    const price = (usage: Parameters<typeof calcPrice>[0]) => calcPrice(usage, modelId, options);
    const input = price({ input_tokens: PROBE });
    if (!input) continue;
    const output = price({ output_tokens: PROBE });
    const cacheRead = price({ input_tokens: PROBE, cache_read_tokens: PROBE });
    const cacheWrite = price({ input_tokens: PROBE, cache_write_tokens: PROBE });
    const perMillion = (total: number) => Number(((total * 1e6) / PROBE).toPrecision(12));
    return {
      matched: `${input.provider.id}: ${input.model.id}`,
      prices: {
        input: perMillion(input.total_price),
        output: perMillion(output?.total_price ?? input.total_price),
        cacheRead: perMillion(cacheRead?.total_price ?? 0),
        cacheWrite: perMillion(cacheWrite?.total_price ?? 0),
      },
    };
  }
  return undefined;
}
