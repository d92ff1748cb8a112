/**
 * Units of the log signal's budget, in their own module without zod: the evaluate Lambda's bundle reads
 * them (lib/evaluation/logs/judge-logs.ts) and must not carry the schema (test/lambdas/bundles.test.ts).
 */

/** Bytes in a GB as CloudWatch bills Logs Insights scans (decimal, as AWS pricing pages use). */
export const BYTES_PER_GB = 1e9;
