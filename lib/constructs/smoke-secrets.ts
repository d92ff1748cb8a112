import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { secretReferencesOf, type Policy, type SecretReference } from '../policy';
import { COMPLETE_SECRET_ARN, PARAMETER_ARN } from '../policy/smoke-rules';

/**
 * The IAM resource of a secret reference (Service Authorization Reference: `GetSecretValue` on the
 * `Secret` resource, `GetParameter` on `parameter`, whose ARN takes the name without its leading slash).
 * A partial secret ARN (without the six random characters) matches the secret with `-??????`, as the
 * Secrets Manager User Guide's identity-policy examples write it; a complete one is granted exactly.
 */
function referenceResource(stack: Stack, reference: SecretReference): { action: string; resource: string } {
  if (reference.secret !== undefined) {
    return { action: 'secretsmanager:GetSecretValue', resource: COMPLETE_SECRET_ARN.test(reference.secret) ? reference.secret : `${reference.secret}-??????` };
  }
  const parameter = reference.parameter!;
  const resource = PARAMETER_ARN.test(parameter)
    ? parameter
    : stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: parameter.replace(/^\//, ''), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return { action: 'ssm:GetParameter', resource };
}

/**
 * Lets the smoke function read the secrets a registration's smoke-test headers name, and those only.
 * A customer managed key named by `kmsKeyArn` is granted `kms:Decrypt` only through the service that
 * holds the value (`kms:ViaService`, AWS KMS Developer Guide); an AWS managed key (`aws/secretsmanager`,
 * `aws/ssm`) needs no grant, its key policy allows its service for the account's principals.
 * The smoke function is shared by every registration: a role that can read one group's secret can read
 * it for any policy that names it (docs/policy-reference.md says how to keep teams' secrets apart).
 */
export function grantSmokeSecrets(scope: Construct, smoke: iam.IGrantable, policy: Policy): void {
  const references = secretReferencesOf(policy.smokeTests);
  if (references.length === 0) return;
  const stack = Stack.of(scope);
  const byAction = new Map<string, Set<string>>();
  for (const reference of references) {
    const { action, resource } = referenceResource(stack, reference);
    byAction.set(action, (byAction.get(action) ?? new Set()).add(resource));
  }
  for (const [action, resources] of byAction) smoke.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: [...resources] }));
  for (const service of ['secretsmanager', 'ssm'] as const) {
    const keys = [...new Set(references.filter((reference) => (service === 'ssm') === (reference.parameter !== undefined)).flatMap((reference) => (reference.kmsKeyArn ? [reference.kmsKeyArn] : [])))];
    if (keys.length === 0) continue;
    smoke.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: keys, conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } } }),
    );
  }
}
