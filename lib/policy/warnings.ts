import { durationSchema } from './duration';
import type { PolicyIssue } from './fit';

/** Under this, `thresholdMs` looks like seconds written as milliseconds (no Lambda answers in under 10 ms at p99 for long). */
const MIN_PLAUSIBLE_THRESHOLD_MS = 10;
/** Over this, `thresholdSeconds` looks like milliseconds written as seconds (an ALB's default idle timeout is 60 s). */
const MAX_PLAUSIBLE_THRESHOLD_SECONDS = 60;
/** Over this, `maxRatioToBaseline` looks like a percentage (50 for "50 % worse" is 1.5). */
const MAX_PLAUSIBLE_RATIO = 10;
/** Under this, `metricLag` judges CloudWatch minutes that are not complete yet. */
const MIN_PLAUSIBLE_LAG_SECONDS = 60;

const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);

/**
 * Issue 25 item 4: values that validate but look like the wrong unit. Warnings, not errors: each can be
 * meant. Read from the policy as written (a preset's `thresholdMs` is folded into its statistic once
 * parsed); run it on a policy that validated.
 */
export function policyWarnings(input: unknown): PolicyIssue[] {
  const policy = record(input);
  if (!policy) return [];
  const warnings: PolicyIssue[] = [];
  const lag = durationSchema.safeParse(policy.metricLag);
  if (lag.success && lag.data < MIN_PLAUSIBLE_LAG_SECONDS) {
    warnings.push({ path: ['metricLag'], message: `${lag.data} s is under a minute: CloudWatch completes a minute's datapoints a minute or more after it ends, so the newest periods would be judged on partial data; "2m" is usual (did you mean "${lag.data}m"?)` });
  }
  const metrics = Array.isArray(policy.metrics) ? policy.metrics : [];
  metrics.forEach((value, index) => {
    const metric = record(value);
    if (!metric) return;
    if (typeof metric.thresholdMs === 'number' && metric.thresholdMs < MIN_PLAUSIBLE_THRESHOLD_MS) {
      warnings.push({ path: ['metrics', index, 'thresholdMs'], message: `${metric.thresholdMs} ms: is this seconds? thresholdMs is in milliseconds (${metric.thresholdMs * 1000} for ${metric.thresholdMs} s)` });
    }
    if (typeof metric.thresholdSeconds === 'number' && metric.thresholdSeconds > MAX_PLAUSIBLE_THRESHOLD_SECONDS) {
      warnings.push({ path: ['metrics', index, 'thresholdSeconds'], message: `${metric.thresholdSeconds} s: is this milliseconds? thresholdSeconds is in seconds (${metric.thresholdSeconds / 1000} for ${metric.thresholdSeconds} ms)` });
    }
    const ratio = record(metric.method)?.maxRatioToBaseline;
    if (typeof ratio === 'number' && ratio > MAX_PLAUSIBLE_RATIO) {
      warnings.push({ path: ['metrics', index, 'method', 'maxRatioToBaseline'], message: `${ratio} allows the new version to be ${ratio} times worse than the current one: is this a percentage? maxRatioToBaseline is a ratio (1.5 = 50 % worse)` });
    }
  });
  return warnings;
}
