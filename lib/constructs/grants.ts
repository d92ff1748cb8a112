import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct, IConstruct } from 'constructs';
import { VERDICT_NAMESPACE } from '../evaluation/verdict-metric';
import { acknowledgeHookExecutionLookup, acknowledgeWildcardResources } from './nag-acknowledgements';
import { grantExecutionData, readDeploymentTargetsStatement, reportHookStatement, stopDeploymentStatement } from './service-authorization';
import type { DeploymentGroupLike } from './verdict-alarm';
/** Per registration, on the log groups its policy names (not by tag: see the module). */
export { grantLogsInsightsQueries, grantLogSignal, type LogGroupGrant } from './logs/logs-insights-grant';

/**
 * Every permission the evaluator hands out, in one place.
 *
 * The evaluator's roles are granted once, when the evaluator is built, and never again: a registration
 * (in this app or from another stack) attaches nothing to them. What a registration's group may have
 * the evaluator do is decided by a tag instead (attribute-based access control, IAM User Guide, "Define
 * permissions based on attributes with ABAC authorization"): the registration tags its deployment group,
 * its Lambda function and its policy object `canary-evaluator=<registrationTag>`, and the evaluator's
 * statements allow those actions only on resources that carry the tag, where the Service Authorization
 * Reference lets the action be conditioned on it (`aws:ResourceTag/…` for CodeDeploy deployment groups,
 * Lambda functions, Secrets Manager secrets and SSM parameters; `s3:ExistingObjectTag/…` for S3 objects).
 * So the roles' policies have the same size for one registration or hundreds (IAM's 10,240-character
 * quota of a role's inline policies would otherwise cap a shared evaluator at about 15 registrations).
 * The hooks are per registration and keep their own roles, scoped to their group by ARN.
 */

/** The key of the tag a registration puts on its deployment group, Lambda function and policy object. */
export const REGISTRATION_TAG_KEY = 'canary-evaluator';

/** The evaluator's functions, as principals. */
export interface EvaluatorPrincipals {
  readonly prepare: iam.IGrantable;
  readonly evaluate: iam.IGrantable;
  readonly smoke: iam.IGrantable;
  readonly watch: iam.IGrantable;
  readonly report: iam.IGrantable;
}

/** One statement; a resource with a wildcard says why (`wildcardReason`, the cdk-nag acknowledgement's reason). */
function allow(grantee: iam.IGrantable, actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>, wildcardReason?: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  if (wildcardReason) acknowledgeWildcardResources(grantee, resources, `${actions.join(', ')}: ${wildcardReason}`);
}

/** `StringEquals` on the registration tag of the resource (`aws:ResourceTag/canary-evaluator`). */
function taggedFor(tagValue: string): Record<string, Record<string, string>> {
  return { StringEquals: { [`aws:ResourceTag/${REGISTRATION_TAG_KEY}`]: tagValue } };
}

/** The evaluator's verdict publishers: the verdict metrics, and the `Canary Verdict` event on the account's default bus only. */
export function grantPublishVerdictEvents(scope: Construct, publishers: readonly iam.IGrantable[]): void {
  const defaultBus = events.EventBus.fromEventBusName(scope, 'DefaultBus', 'default');
  for (const publisher of publishers) {
    grantPublishVerdicts(publisher);
    publisher.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [defaultBus.eventBusArn] }));
  }
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

/**
 * What the evaluator's functions may do for registered groups, granted once (see the file comment):
 * - prepare, evaluate, smoke, watch read policy objects tagged for this evaluator, in this account
 *   (`s3:ExistingObjectTag/…`: the Service Authorization Reference's object-tag condition of GetObject);
 * - evaluate and watch read alarm states for alarm gates: every alarm of the account and Region, since a
 *   policy names its alarms as data and they are usually defined elsewhere (DescribeAlarms is read-only);
 * - watch reads deployments of tagged groups, and the deployment targets (wildcard-only);
 * - report reports hooks (wildcard-only, `reportHookStatement`);
 * - smoke invokes versions of tagged functions, reads tagged secrets and parameters, and decrypts them
 *   with their customer managed key only through Secrets Manager or SSM (`kms:ViaService`).
 */
export function grantRegisteredResources(scope: IConstruct, principals: EvaluatorPrincipals, tagValue: string): void {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName: string, arnFormat = ArnFormat.COLON_RESOURCE_NAME) => stack.formatArn({ service, resource, resourceName, arnFormat });
  const tagged = `only those tagged ${REGISTRATION_TAG_KEY}=${tagValue} by a registration (aws:ResourceTag condition)`;
  for (const reader of [principals.prepare, principals.evaluate, principals.smoke, principals.watch]) {
    const conditions = { StringEquals: { [`s3:ExistingObjectTag/${REGISTRATION_TAG_KEY}`]: tagValue, 's3:ResourceAccount': stack.account } };
    allow(reader, ['s3:GetObject'], [`arn:${stack.partition}:s3:::*/*`], conditions, `registered policy objects of this account, ${tagged.replace('aws:ResourceTag', 's3:ExistingObjectTag')}`);
  }
  for (const reader of [principals.evaluate, principals.watch]) {
    allow(reader, ['cloudwatch:DescribeAlarms'], [arn('cloudwatch', 'alarm', '*')], undefined, "read-only: the states of the alarms a policy's alarm gates name, which are defined elsewhere");
  }
  allow(principals.watch, ['codedeploy:GetDeployment'], [arn('codedeploy', 'deploymentgroup', '*')], taggedFor(tagValue), `deployments of registered groups, ${tagged}`);
  principals.watch.grantPrincipal.addToPrincipalPolicy(readDeploymentTargetsStatement());
  principals.report.grantPrincipal.addToPrincipalPolicy(reportHookStatement());
  grantInvokeRegisteredVersions(scope, principals.smoke, tagValue);
  allow(principals.smoke, ['secretsmanager:GetSecretValue'], [arn('secretsmanager', 'secret', '*')], taggedFor(tagValue), `secrets smoke-test headers name, ${tagged.replace('by a registration', 'by their owner')}`);
  allow(principals.smoke, ['ssm:GetParameter'], [arn('ssm', 'parameter', '*', ArnFormat.SLASH_RESOURCE_NAME)], taggedFor(tagValue), `parameters smoke-test headers name, ${tagged.replace('by a registration', 'by their owner')}`);
  // A secret's customer managed key, only as Secrets Manager or SSM uses it for a value the role may read
  // (AWS KMS Developer Guide, "kms:ViaService"); AWS managed keys (aws/secretsmanager, aws/ssm) need no grant.
  const viaSecretStores = { StringEquals: { 'kms:ViaService': ['secretsmanager', 'ssm'].map((service) => `${service}.${stack.region}.amazonaws.com`) } };
  allow(principals.smoke, ['kms:Decrypt'], [arn('kms', 'key', '*', ArnFormat.SLASH_RESOURCE_NAME)], viaSecretStores, 'the keys of secrets and parameters the role may read, only through Secrets Manager and SSM (kms:ViaService)');
}

/** The canary watch may stop deployments (policies with `stopDeploymentOnFail`); StopDeployment is wildcard-only. */
export function grantStopDeployments(principals: EvaluatorPrincipals): void {
  principals.watch.grantPrincipal.addToPrincipalPolicy(stopDeploymentStatement());
}

/**
 * Smoke tests invoke the new version directly: qualified ARNs (`function:<name>:<qualifier>`) of functions
 * tagged for this evaluator, never an unqualified function. A function's tags apply to its versions and
 * aliases (Lambda Developer Guide, "Using tags on Lambda functions").
 */
export function grantInvokeRegisteredVersions(scope: IConstruct, grantee: iam.IGrantable, tagValue: string): void {
  const versions = Stack.of(scope).formatArn({ service: 'lambda', resource: 'function', resourceName: '*:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  allow(grantee, ['lambda:InvokeFunction'], [versions], taggedFor(tagValue), `the versions a deployment publishes of registered functions, only those tagged ${REGISTRATION_TAG_KEY}=${tagValue} (aws:ResourceTag condition)`);
}

/**
 * The ARN pattern of a state machine's executions (`execution` resource type of DescribeExecution and
 * GetExecutionHistory, Service Authorization Reference, AWS Step Functions): `…:execution:<name>:*`.
 */
export function executionsOf(stateMachineArn: string): string {
  const { partition, region, account, resourceName } = Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
  return `arn:${partition}:states:${region}:${account}:execution:${resourceName}:*`;
}

/**
 * Every hook (CodeDeploy or ECS native) starts its evaluation and looks its execution up by name
 * (DescribeExecution with `includedData: METADATA_ONLY`: status only, nothing to decrypt): a CodeDeploy hook
 * after a StartExecution error (issue 23 item 4), an ECS hook at every re-invocation (`followsExecution`).
 * This state machine's executions only. With a customer managed key, StartExecution encrypts the input.
 */
export function grantStartEvaluation(hook: iam.IGrantable, stateMachineArn: string, key?: kms.IKey, executionArnForKms?: string, followsExecution = false): void {
  allow(hook, ['states:StartExecution'], [stateMachineArn]);
  allow(hook, ['states:DescribeExecution'], [executionsOf(stateMachineArn)]);
  if (followsExecution) acknowledgeWildcardResources(hook, [executionsOf(stateMachineArn)], "The ECS hook follows its own evaluation's execution by name at each invocation (DescribeExecution, metadata only), on this state machine's executions only");
  else acknowledgeHookExecutionLookup(hook, executionsOf(stateMachineArn));
  if (key && executionArnForKms) grantExecutionData(key, hook, executionArnForKms, ['kms:GenerateDataKey']);
}

/** A CodeDeploy hook also reads the deployment and its revision, and reports the hook itself when it cannot start. */
export function grantHook(hook: iam.IGrantable, group: DeploymentGroupLike): void {
  allow(hook, ['codedeploy:GetDeployment'], [group.deploymentGroupArn]);
  hook.grantPrincipal.addToPrincipalPolicy(reportHookStatement());
  allow(hook, ['codedeploy:GetApplicationRevision'], [group.application.applicationArn]);
}

/**
 * A hook reads the AppSpec of a deployment with an S3 revision: `GetObject` and `GetObjectVersion` (a
 * revision may name its version) on the bucket's objects, nothing on the bucket itself (CodeDeploy
 * returns the object's location). A KMS-encrypted bucket's key, only through S3.
 */
export function grantReadRevisions(hook: iam.IGrantable, bucket: s3.IBucket): void {
  allow(hook, ['s3:GetObject', 's3:GetObjectVersion'], [bucket.arnForObjects('*')], undefined, 'AppSpec revisions, one object per deployment named at run time, of the bucket the registration names');
  if (bucket.encryptionKey) {
    hook.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [bucket.encryptionKey.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` } } }),
    );
  }
}
