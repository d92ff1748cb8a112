/**
 * Offline price table for token spend, USD per million tokens, by Bedrock model id.
 *
 * Prices of the public Amazon Bedrock pricing page (on-demand, US East (N. Virginia)) as recorded on
 * 2025-06-01; they were not re-checked from the build environment (no network). Models without prompt
 * caching bill cached reads as input here. Prices change: update the table and `PRICES_TAKEN_ON` together, in one reviewed commit. Cost
 * comparisons are canary vs baseline on the same model, so a stale table shifts both arms alike and
 * the ratio (what the judge decides on) is unaffected; absolute USD figures in reasons are indicative.
 */
export const PRICES_TAKEN_ON = '2025-06-01';
export const PRICES_SOURCE = 'https://aws.amazon.com/bedrock/pricing/ (on-demand, us-east-1)';

export interface TokenPrices {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export const TOKEN_PRICES_USD_PER_MILLION: Readonly<Record<string, TokenPrices>> = {
  'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'anthropic.claude-3-7-sonnet-20250219-v1:0': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'anthropic.claude-sonnet-4-20250514-v1:0': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'anthropic.claude-opus-4-20250514-v1:0': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'amazon.nova-micro-v1:0': { input: 0.035, output: 0.14, cacheRead: 0.00875, cacheWrite: 0 },
  'amazon.nova-lite-v1:0': { input: 0.06, output: 0.24, cacheRead: 0.015, cacheWrite: 0 },
  'amazon.nova-pro-v1:0': { input: 0.8, output: 3.2, cacheRead: 0.2, cacheWrite: 0 },
  'meta.llama3-3-70b-instruct-v1:0': { input: 0.72, output: 0.72, cacheRead: 0.72, cacheWrite: 0 },
};

export const PRICED_MODEL_IDS = Object.keys(TOKEN_PRICES_USD_PER_MILLION) as [string, ...string[]];
