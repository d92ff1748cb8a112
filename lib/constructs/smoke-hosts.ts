import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { HOOK_ENVIRONMENT } from '../evaluation/contracts';
import type { Policy } from '../policy';
import { deniedHostReason, smokeHostProblem } from '../policy/smoke-safety';

/**
 * The hosts a registration's HTTP smoke tests may call: those it names (e.g. the ECS load balancer,
 * whose DNS name is known only at deploy time) plus `allowedSmokeTestHosts`. Checked here for the
 * policy's literal hosts, and passed to the hooks (`SMOKE_ALLOWED_HOSTS`), which hand it to the
 * execution: the smoke Lambda, shared by every registration, refuses any other host at run time.
 */
export function smokeHostsEnvironment(scope: Construct, policy: Policy, namedHosts: readonly string[], allowedSmokeTestHosts: readonly string[], where: string): Record<string, string> {
  const allowed = [...namedHosts, ...allowedSmokeTestHosts];
  const literal = allowed.filter((host) => !Token.isUnresolved(host));
  // A host known only at deploy time may be the one a URL names: the run-time check decides for it.
  const undecidable = literal.length < allowed.length;
  policy.smokeTests.forEach((test, index) => {
    if (test.type !== 'http') return;
    const host = new URL(test.url).hostname;
    const denied = deniedHostReason(host);
    const problem = denied ? `${host} is ${denied}` : undecidable ? undefined : smokeHostProblem(host, literal);
    if (problem) throw new Error(`policy of ${where}: smokeTests[${index}] (${test.name}).url: ${problem}`);
  });
  return { [HOOK_ENVIRONMENT.smokeAllowedHosts]: Stack.of(scope).toJsonString(allowed) };
}
