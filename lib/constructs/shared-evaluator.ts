import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { grantInvokeVersions } from './grants';
import {
  registerEcsGroup,
  registerLambdaGroup,
  registrationIdOf,
  type EcsDeploymentGroupRegistration,
  type EvaluatorBinding,
  type LambdaDeploymentGroupRegistration,
  type RegisteredEcsDeploymentGroup,
  type RegisteredLambdaDeploymentGroup,
} from './registration';
import { MAX_ALARMS_PER_DEPLOYMENT_GROUP, type DeploymentGroupLike } from './verdict-alarm';
import { requireSupportedAwsCdkLib } from './peer-version';

/**
 * A shared evaluator: a platform team deploys one per account and Region; service teams register
 * their deployment groups with it from their own stacks and CDK apps.
 *
 * IAM for groups registered later: each registration attaches its own grants to the evaluator's
 * roles, as IAM policies of the registering stack — read its policy object, report and read its
 * group's deployments, invoke its function's versions — so the evaluator may act for registered
 * groups only. Blast radius: a stack that registers can add statements to the evaluator's roles (it
 * needs IAM rights on them, which its CloudFormation execution role has); each role's inline policies
 * share IAM's 10,240-character limit, about 30 registrations per evaluator (docs/shared-evaluator.md).
 */

/** What a stack needs to know of an evaluator deployed elsewhere (same account and Region) to register with it. */
export interface CanaryEvaluatorAttributes {
  /** The evaluation state machine the hooks start. */
  readonly stateMachineArn: string;
  /** The queue that takes hook invocations that failed after Lambda's retries (its alarm is the evaluator's). */
  readonly hookDeadLetterQueueArn: string;
  /** Roles of the evaluator's functions; a registration attaches its own grants to them. */
  readonly prepareRoleArn: string;
  readonly evaluateRoleArn: string;
  readonly smokeRoleArn: string;
  readonly watchRoleArn: string;
  readonly reportRoleArn: string;
  /**
   * The evaluator's customer managed key (its hook dead-letter queue and logs are encrypted with it).
   * @default - the evaluator uses AWS owned or AWS managed keys
   */
  readonly encryptionKeyArn?: string;
  /**
   * Retention of the registration's hook logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens when a registered group's hook-errors alarm fires.
   * @default - no action
   */
  readonly healthAlarmAction?: cloudwatch.IAlarmAction;
  /**
   * Most CloudWatch alarms CodeDeploy accepts on one deployment group.
   * @default 10
   */
  readonly deploymentGroupAlarmLimit?: number;
}

/** An evaluator that deployment groups register with: one in this app, or one deployed by another stack. */
export interface ICanaryEvaluator {
  /** Protects a Lambda deployment group (hooks on `BeforeAllowTraffic` and `AfterAllowTraffic`). */
  registerLambdaDeploymentGroup(group: codedeploy.LambdaDeploymentGroup, registration: LambdaDeploymentGroupRegistration): RegisteredLambdaDeploymentGroup;
  /** Protects an ECS blue/green deployment group (hooks named in the AppSpec). */
  registerEcsDeploymentGroup(group: codedeploy.IEcsDeploymentGroup, registration: EcsDeploymentGroupRegistration): RegisteredEcsDeploymentGroup;
}

/** The SSM parameter names an evaluator with `evaluatorName` writes (String parameters, one per attribute). */
export function evaluatorParameterNames(evaluatorName: string) {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(evaluatorName)) {
    throw new Error(`evaluatorName "${evaluatorName}" must be 1–64 letters, digits, '_', '.' or '-' (it becomes part of SSM parameter names)`);
  }
  const prefix = `/canary-evaluator/${evaluatorName}`;
  return {
    stateMachineArn: `${prefix}/state-machine-arn`,
    hookDeadLetterQueueArn: `${prefix}/hook-dead-letter-queue-arn`,
    prepareRoleArn: `${prefix}/prepare-role-arn`,
    evaluateRoleArn: `${prefix}/evaluate-role-arn`,
    smokeRoleArn: `${prefix}/smoke-role-arn`,
    watchRoleArn: `${prefix}/watch-role-arn`,
    reportRoleArn: `${prefix}/report-role-arn`,
    /** `none` when the evaluator has no customer managed key. */
    encryptionKeyArn: `${prefix}/encryption-key-arn`,
  } as const;
}

/** An evaluator of another stack, seen through its attributes (see `CanaryEvaluator.fromEvaluatorAttributes`). */
export class ImportedCanaryEvaluator extends Construct implements ICanaryEvaluator {
  private readonly binding: EvaluatorBinding;
  private readonly registeredGroups = new Set<string>();

  constructor(scope: Construct, id: string, attributes: CanaryEvaluatorAttributes) {
    super(scope, id);
    requireSupportedAwsCdkLib(this);
    // `mutable`: grants become IAM policies of this stack, attached to the evaluator's roles.
    const role = (roleId: string, arn: string) => iam.Role.fromRoleArn(this, roleId, arn, { mutable: true });
    const encryptionKey = attributes.encryptionKeyArn ? kms.Key.fromKeyArn(this, 'Key', attributes.encryptionKeyArn) : undefined;
    const smoke = role('SmokeRole', attributes.smokeRoleArn);
    this.binding = {
      stateMachineArn: attributes.stateMachineArn,
      ...(encryptionKey ? { executionArnForKms: attributes.stateMachineArn } : {}),
      hookDeadLetterQueue: sqs.Queue.fromQueueAttributes(this, 'HookDeadLetters', { queueArn: attributes.hookDeadLetterQueueArn, ...(encryptionKey ? { keyArn: encryptionKey.keyArn } : {}) }),
      principals: {
        prepare: role('PrepareRole', attributes.prepareRoleArn),
        evaluate: role('EvaluateRole', attributes.evaluateRoleArn),
        smoke,
        watch: role('WatchRole', attributes.watchRoleArn),
        report: role('ReportRole', attributes.reportRoleArn),
      },
      logRetention: attributes.logRetention ?? logs.RetentionDays.ONE_MONTH,
      deploymentGroupAlarmLimit: attributes.deploymentGroupAlarmLimit ?? MAX_ALARMS_PER_DEPLOYMENT_GROUP,
      encryptionKey,
      healthAlarmAction: attributes.healthAlarmAction,
      onSmokeTestTarget: (target) => grantInvokeVersions(smoke, target),
    };
  }

  registerLambdaDeploymentGroup(group: codedeploy.LambdaDeploymentGroup, registration: LambdaDeploymentGroupRegistration): RegisteredLambdaDeploymentGroup {
    return registerLambdaGroup(this, this.registrationId(group), this.binding, group, registration);
  }

  registerEcsDeploymentGroup(group: codedeploy.IEcsDeploymentGroup, registration: EcsDeploymentGroupRegistration): RegisteredEcsDeploymentGroup {
    return registerEcsGroup(this, this.registrationId(group), this.binding, group, registration);
  }

  private registrationId(group: DeploymentGroupLike): string {
    return registrationIdOf(group, this.registeredGroups, this.node.path);
  }
}


/** Reads an evaluator's attributes from the SSM parameters it writes (CloudFormation resolves them at deploy time). */
export function attributesFromParameters(scope: Construct, evaluatorName: string, options: { readonly encrypted?: boolean }): CanaryEvaluatorAttributes {
  const names = evaluatorParameterNames(evaluatorName);
  const read = (name: string) => ssm.StringParameter.valueForStringParameter(scope, name);
  return {
    stateMachineArn: read(names.stateMachineArn),
    hookDeadLetterQueueArn: read(names.hookDeadLetterQueueArn),
    prepareRoleArn: read(names.prepareRoleArn),
    evaluateRoleArn: read(names.evaluateRoleArn),
    smokeRoleArn: read(names.smokeRoleArn),
    watchRoleArn: read(names.watchRoleArn),
    reportRoleArn: read(names.reportRoleArn),
    ...(options.encrypted ? { encryptionKeyArn: read(names.encryptionKeyArn) } : {}),
  };
}
