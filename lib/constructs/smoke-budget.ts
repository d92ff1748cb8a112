import type { Duration } from 'aws-cdk-lib';
import type { Policy } from '../policy';

/**
 * Fails synth when a phase's HTTP smoke tests cannot finish inside the smoke-test Lambda's timeout: each
 * test may take `(retries + 1) × timeoutMs`, and a pool of `concurrency` workers runs them, so the
 * worst case is at most (sum of the tests' worst cases) / concurrency + the longest single test.
 * Lambda smoke tests have no per-test timeout and are bounded by the invoked function's own timeout.
 */
export function checkSmokeTestBudget(policy: Policy, smokeTimeout: Duration, where: string): void {
  const budgetMs = smokeTimeout.toMilliseconds();
  const concurrency = Math.max(1, policy.smokeTestSettings.concurrency);
  const problems: string[] = [];
  for (const phase of ['pre-traffic', 'post-deploy'] as const) {
    const tests = policy.smokeTests.filter((test) => test.type === 'http' && (test.phase === phase || test.phase === 'both'));
    if (tests.length === 0) continue;
    const worst = tests.map((test) => (test.retries + 1) * (test as { timeoutMs: number }).timeoutMs);
    const boundMs = worst.reduce((a, b) => a + b, 0) / concurrency + Math.max(...worst);
    if (boundMs > budgetMs) {
      problems.push(
        `${phase} HTTP smoke tests may take up to ${Math.ceil(boundMs / 1000)} s (${tests.map((t, i) => `${t.name}: ${worst[i] / 1000} s`).join(', ')}; concurrency ${concurrency}), but the smoke-test Lambda stops after ${budgetMs / 1000} s: lower timeoutMs or retries, or raise concurrency`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`policy of ${where}: ${problems.join('; ')}`);
}
