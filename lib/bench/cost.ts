/**
 * AWS cost of one evaluation, from public list prices (us-east-1, 2026): Step Functions Standard
 * $0.025 per 1,000 state transitions; CloudWatch GetMetricData $0.01 per 1,000 metrics requested;
 * Lambda arm64 $0.0000133334 per GB-second. Assumes a 256 MB evaluate Lambda running 0.3 s per tick.
 */
export const PRICES = {
  transition: 0.025 / 1000,
  metricRequested: 0.01 / 1000,
  lambdaGbSecond: 0.0000133334,
} as const;

/** Transitions of one loop tick (Evaluate, Decide, Wait) and of the fixed part (start, Prepare, verdict, Report, end). */
const TRANSITIONS_PER_TICK = 3;
const FIXED_TRANSITIONS = 6;
const LAMBDA_GB_SECONDS_PER_TICK = 0.25 * 0.3;

/** USD for an evaluation that read `metricsPerTick` metrics on each of `ticks` looks. */
export function evaluationCostUsd(ticks: number, metricsPerTick: number): number {
  return (
    (FIXED_TRANSITIONS + ticks * TRANSITIONS_PER_TICK) * PRICES.transition +
    ticks * metricsPerTick * PRICES.metricRequested +
    (ticks + 2) * LAMBDA_GB_SECONDS_PER_TICK * PRICES.lambdaGbSecond
  );
}
