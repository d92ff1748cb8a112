/** USD per million tokens, by token type. */
export interface TokenPrices {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/**
 * The prices a cost metric is judged with, resolved once when the policy is validated (at synth
 * time, so neither the catalog nor zod is bundled into the Lambdas), with where they came from.
 */
export interface ResolvedPrices extends TokenPrices {
  /** `@pydantic/genai-prices 0.1.8 (aws: regional.anthropic.claude-…)`, or `policy override`. */
  readonly source: string;
  /** Date of the prices: the catalog release, or the override's own `date`. */
  readonly date: string;
}
