import { Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { secretReferencesOf, type Policy } from '../policy';
import { PARAMETER_ARN } from '../policy/smoke-rules';
import { REGISTRATION_TAG_KEY } from './grants';

/**
 * The smoke function reads a secret or parameter a smoke-test header names when its owner has tagged it
 * `canary-evaluator=<registrationTag>` (`grantRegisteredResources` in grants.ts: `aws:ResourceTag` on
 * `GetSecretValue` and `GetParameter`, and the customer managed key through that service only). The
 * grant covers the evaluator's account and Region: a reference elsewhere fails synth, naming it.
 */
export function checkSmokeSecretsReachable(scope: Construct, policy: Policy, groupPath: string): void {
  const stack = Stack.of(scope);
  for (const reference of secretReferencesOf(policy.smokeTests)) {
    const arn = reference.secret ?? (reference.parameter !== undefined && PARAMETER_ARN.test(reference.parameter) ? reference.parameter : undefined);
    if (arn === undefined) continue;
    const [, , , region, account] = arn.split(':');
    const elsewhere = (!Token.isUnresolved(stack.region) && region !== stack.region) || (!Token.isUnresolved(stack.account) && account !== stack.account);
    if (elsewhere) {
      throw new Error(
        `policy of ${groupPath}: smoke-test header reference ${arn} is in account ${account}, Region ${region}; the evaluator reads secrets and parameters of its own account and Region (${stack.account}, ${stack.region}) tagged ${REGISTRATION_TAG_KEY}=<registrationTag>`,
      );
    }
  }
}
