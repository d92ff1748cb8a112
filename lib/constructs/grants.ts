import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { VERDICT_NAMESPACE } from '../evaluation/verdict-metric';
import { acknowledgeHookExecutionLookup, acknowledgeSmokeTestInvokeGrant } from './nag-acknowledgements';
import { grantExecutionData, grantQueueEncryption, readDeploymentTargetsStatement, reportHookStatement, stopDeploymentStatement } from './service-authorization';
import type { DeploymentGroupLike } from './verdict-alarm';

/**
 * Every permission the evaluator hands out, in one place. Each grant names the one resource it is for
 * (Service Authorization Reference); the few that AWS cannot scope say so where they are made.
 */

/** The evaluator's functions, as the principals that registrations grant to. */
export interface EvaluatorPrincipals {
  readonly prepare: iam.IGrantable;
  readonly evaluate: iam.IGrantable;
  readonly smoke: iam.IGrantable;
  readonly watch: iam.IGrantable;
  readonly report: iam.IGrantable;
}

function allow(grantee: iam.IGrantable, actions: string[], resources: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/**
 * Lets `grantee` publish the verdict metric, and nothing else: `cloudwatch:PutMetricData` with the
 * `cloudwatch:namespace` condition (PutMetricData has no resource-level permission).
 */
export function grantPublishVerdicts(grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['cloudwatch:PutMetricData'],
    resourceArns: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': VERDICT_NAMESPACE } },
  });
}

/** Every evaluator function reads the registration's policy object, and no other object. */
export function grantReadPolicy(principals: EvaluatorPrincipals, policyAsset: Asset): void {
  const objectArn = policyAsset.bucket.arnForObjects(policyAsset.s3ObjectKey);
  // The report function does not read policies: its switches come with the execution input (REPORT_SWITCHES).
  for (const reader of [principals.prepare, principals.evaluate, principals.smoke, principals.watch]) allow(reader, ['s3:GetObject'], [objectArn]);
}

/** Alarm gates read the named alarms' states; DescribeAlarms takes alarm ARNs as resources. */
export function grantReadAlarms(scope: Construct, principals: EvaluatorPrincipals, alarmNames: readonly string[]): void {
  if (alarmNames.length === 0) return;
  const stack = Stack.of(scope);
  const alarmArns = alarmNames.map((name) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
  for (const reader of [principals.evaluate, principals.watch]) allow(reader, ['cloudwatch:DescribeAlarms'], alarmArns);
}

/**
 * The report function reports hooks (on `*`: see `reportHookStatement`); the canary watch reads the
 * group's deployments and its target's traffic weights (the shift's end), and stops the deployment when
 * the policy says so (StopDeployment is wildcard-only). CDK keeps one copy of identical statements in a
 * policy document, so the `*` statements appear once however many groups register (checked: three
 * registrations, one reporting statement on the report role).
 */
export function grantActOnGroup(principals: EvaluatorPrincipals, group: DeploymentGroupLike, stopsDeployments: boolean): void {
  principals.report.grantPrincipal.addToPrincipalPolicy(reportHookStatement());
  allow(principals.watch, ['codedeploy:GetDeployment'], [group.deploymentGroupArn]);
  principals.watch.grantPrincipal.addToPrincipalPolicy(readDeploymentTargetsStatement());
  if (stopsDeployments) principals.watch.grantPrincipal.addToPrincipalPolicy(stopDeploymentStatement());
}

/** Smoke tests invoke the new version directly: the function's qualified ARNs only, never the unqualified function. */
export function grantInvokeVersions(grantee: iam.IGrantable, fn: lambda.IFunction): void {
  allow(grantee, ['lambda:InvokeFunction'], [`${fn.functionArn}:*`]);
  acknowledgeSmokeTestInvokeGrant(grantee, fn);
}

/**
 * The ARN pattern of a state machine's executions (`execution` resource type of DescribeExecution and
 * GetExecutionHistory, Service Authorization Reference, AWS Step Functions): `…:execution:<name>:*`.
 */
export function executionsOf(stateMachineArn: string): string {
  const { partition, region, account, resourceName } = Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
  return `arn:${partition}:states:${region}:${account}:execution:${resourceName}:*`;
}

/** A hook starts its evaluation, reads the deployment and its revision, and reports the hook itself when it cannot start. */
export function grantHook(hook: iam.IGrantable, group: DeploymentGroupLike, stateMachineArn: string, key?: kms.IKey, executionArnForKms?: string): void {
  allow(hook, ['states:StartExecution'], [stateMachineArn]);
  // After a StartExecution error, the hook looks its execution up by name (issue 23 item 4): this state machine's executions only.
  allow(hook, ['states:DescribeExecution'], [executionsOf(stateMachineArn)]);
  acknowledgeHookExecutionLookup(hook, executionsOf(stateMachineArn));
  allow(hook, ['codedeploy:GetDeployment'], [group.deploymentGroupArn]);
  hook.grantPrincipal.addToPrincipalPolicy(reportHookStatement());
  allow(hook, ['codedeploy:GetApplicationRevision'], [group.application.applicationArn]);
  if (key) {
    // StartExecution encrypts the input; failed async events go to the key-encrypted dead-letter queue.
    if (executionArnForKms) grantExecutionData(key, hook, executionArnForKms, ['kms:GenerateDataKey']);
    grantQueueEncryption(key, hook);
  }
}
