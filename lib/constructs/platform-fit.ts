import type { Policy } from '../policy';

/**
 * Fails synth when a policy cannot work on the group's platform, rather than failing every deployment's
 * hook: Lambda per-version metrics and Lambda smoke tests need a Lambda target, ALB target-group
 * metrics an ECS one, and `dimension` versioning is Lambda-only (an ECS AppSpec does not say the
 * original task set's version).
 */
export function checkPolicyFitsPlatform(policy: Policy, platform: 'lambda' | 'ecs', where: string): void {
  const problems: string[] = [];
  for (const metric of policy.metrics) {
    if (metric.kind === 'alarm') continue;
    const versioning = metric.versioning.type;
    if (platform === 'ecs' && versioning === 'lambda-alias') problems.push(`metric ${metric.name}: lambda-alias versioning reads Lambda metrics; use alb-target-group (alb-5xx-rate, alb-slow-requests)`);
    if (platform === 'ecs' && versioning === 'dimension') problems.push(`metric ${metric.name}: dimension versioning is not supported for ECS (the original task set's version is unknown); use alb-target-group`);
    if (platform === 'lambda' && versioning === 'alb-target-group') problems.push(`metric ${metric.name}: alb-target-group versioning needs an ECS blue/green deployment; use lambda-alias or dimension`);
  }
  if (platform === 'ecs') {
    for (const test of policy.smokeTests) if (test.type === 'lambda') problems.push(`smoke test ${test.name}: Lambda smoke tests invoke a Lambda version; use an http smoke test against the test listener`);
  }
  // The log signal tells versions by the Lambda log stream or a JSON field holding the version ids,
  // which an ECS AppSpec does not give (issue 26: ECS task-set versioning is not built).
  if (platform === 'ecs' && policy.logs) problems.push('logs: the log signal tells versions apart for Lambda deployments only; remove `logs` from an ECS group\'s policy');
  if (problems.length > 0) throw new Error(`policy of ${where} does not fit a${platform === 'ecs' ? 'n ECS' : ' Lambda'} deployment group:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
