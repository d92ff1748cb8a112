import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Annotations, type Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { registerEcsNativeService, type EcsNativeEvaluatorBinding, type EcsServiceRegistration, type RegisteredEcsService } from './ecs-native/registration';
import { registrationIdOf } from './registration';
import { ecsNativeMaxHookTimeoutMinutes } from './ecs-native/extended-evaluation';
import {
  registerEcsGroup,
  registerLambdaGroup,
  type EcsDeploymentGroupRegistration,
  type LambdaDeploymentGroupRegistration,
  type RegisteredEcsDeploymentGroup,
  type RegisteredLambdaDeploymentGroup,
} from './codedeploy/registration';
import { MAX_ALARMS_PER_DEPLOYMENT_GROUP } from './verdict-alarm';
import { requireSupportedAwsCdkLib } from './peer-version';

/**
 * A shared evaluator: a platform team deploys one per account and Region; service teams register
 * their deployment groups with it from their own stacks and CDK apps.
 *
 * IAM for groups registered later: a registration attaches nothing to the evaluator's roles. It tags its
 * deployment group, its Lambda function and its policy object with the evaluator's registration tag, and
 * the evaluator's own grants allow its actions on tagged resources only (lib/constructs/grants.ts), so
 * the evaluator's policies keep one size however many groups register (docs/shared-evaluator.md). The
 * registering stack needs no IAM rights on the evaluator's roles.
 */

/** What a stack needs to know of an evaluator deployed elsewhere (same account and Region) to register with it. */
export interface CanaryEvaluatorAttributes {
  /** The evaluation state machine the hooks start. */
  readonly stateMachineArn: string;
  /** The queue that takes hook invocations that failed after Lambda's retries (its alarm is the evaluator's). */
  readonly hookDeadLetterQueueArn: string;
  /**
   * The value of the evaluator's registration tag (`CanaryEvaluator.registrationTag`: its `evaluatorName`,
   * when it has one). The registration tags its group, function and policy object `canary-evaluator=<this>`.
   */
  readonly registrationTag: string;
  /**
   * The evaluator's customer managed key (its hook dead-letter queue and logs are encrypted with it).
   * @default - the evaluator uses AWS owned or AWS managed keys
   */
  readonly encryptionKeyArn?: string;
  /**
   * The evaluator's report bucket (`CanaryEvaluator.reportBucket`): ECS native registrations keep their hook
   * statuses there (`registerEcsService`), and registrations' evaluations look there for break-glass
   * overrides (`canary-eval override`, `allowOverrides`).
   * @default - none: `registerEcsService` is refused, and the evaluations of CodeDeploy registrations do not look for overrides
   */
  readonly reportBucketName?: string;
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
  /**
   * The evaluator's extended state machine, for ECS native evaluations longer than its `evaluationTimeout`
   * (`CanaryEvaluatorProps.ecsNativeMaxHookTimeout`). Give it with `ecsNativeMaxHookTimeout`.
   * @default - none: ECS native policies must fit the standard evaluation timeout
   */
  readonly ecsNativeExtendedStateMachineArn?: string;
  /** The evaluator's `ecsNativeMaxHookTimeout`; required with `ecsNativeExtendedStateMachineArn`. @default - none */
  readonly ecsNativeMaxHookTimeout?: Duration;
}

/** An evaluator that deployment groups register with: one in this app, or one deployed by another stack. */
export interface ICanaryEvaluator {
  /** Protects a Lambda deployment group (hooks on `BeforeAllowTraffic` and `AfterAllowTraffic`). */
  registerLambdaDeploymentGroup(group: codedeploy.LambdaDeploymentGroup, registration: LambdaDeploymentGroupRegistration): RegisteredLambdaDeploymentGroup;
  /** Protects an ECS blue/green deployment group (hooks named in the AppSpec). */
  registerEcsDeploymentGroup(group: codedeploy.IEcsDeploymentGroup, registration: EcsDeploymentGroupRegistration): RegisteredEcsDeploymentGroup;
  /** Protects an ECS service that Amazon ECS deploys itself (BLUE_GREEN, LINEAR or CANARY; lifecycle hooks on the service). */
  registerEcsService(service: ecs.BaseService, registration: EcsServiceRegistration): RegisteredEcsService;
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
    /** `none` when the evaluator has no customer managed key. */
    encryptionKeyArn: `${prefix}/encryption-key-arn`,
    reportBucketName: `${prefix}/report-bucket-name`,
    /** Only with `ecsNativeMaxHookTimeout`: the extended state machine of long ECS native evaluations. */
    ecsNativeExtendedStateMachineArn: `${prefix}/ecs-native-extended-state-machine-arn`,
  } as const;
}

/** Writes one SSM String parameter per attribute (`evaluatorParameterNames`), for `fromEvaluatorName`. */
export function publishEvaluatorAttributes(
  scope: Construct,
  evaluatorName: string,
  values: Record<Exclude<keyof ReturnType<typeof evaluatorParameterNames>, 'ecsNativeExtendedStateMachineArn'>, string> & { readonly ecsNativeExtendedStateMachineArn?: string },
): ssm.StringParameter[] {
  const names = evaluatorParameterNames(evaluatorName);
  const parameters = new Construct(scope, 'Attributes');
  return (Object.entries(names) as Array<[keyof typeof names, string]>).flatMap(([key, parameterName]) => {
    const stringValue = values[key];
    return stringValue === undefined ? [] : [new ssm.StringParameter(parameters, key, { parameterName, stringValue, description: `canary-evaluator ${evaluatorName}: ${key}` })];
  });
}

/** An evaluator of another stack, seen through its attributes (see `CanaryEvaluator.fromEvaluatorAttributes`). */
export class ImportedCanaryEvaluator extends Construct implements ICanaryEvaluator {
  private binding: EcsNativeEvaluatorBinding;
  private readonly registeredGroups = new Set<string>();

  /**
   * `reportBucketNameParameter`: for an evaluator found by name, the SSM parameter of its report bucket,
   * read only when an ECS service registers (an evaluator of an older version has no such parameter, and a
   * reference to a missing parameter fails the deployment of every registration of the stack).
   */
  constructor(scope: Construct, id: string, attributes: CanaryEvaluatorAttributes, private readonly reportBucketNameParameter?: string) {
    super(scope, id);
    requireSupportedAwsCdkLib(this);
    if (!attributes.registrationTag) throw new Error(`${this.node.path}: registrationTag is missing; expected the evaluator's CanaryEvaluator.registrationTag (its evaluatorName, when it has one)`);
    const encryptionKey = attributes.encryptionKeyArn ? kms.Key.fromKeyArn(this, 'Key', attributes.encryptionKeyArn) : undefined;
    this.binding = {
      stateMachineArn: attributes.stateMachineArn,
      ...(encryptionKey ? { executionArnForKms: attributes.stateMachineArn } : {}),
      hookDeadLetterQueue: sqs.Queue.fromQueueAttributes(this, 'HookDeadLetters', { queueArn: attributes.hookDeadLetterQueueArn, ...(encryptionKey ? { keyArn: encryptionKey.keyArn } : {}) }),
      registrationTag: attributes.registrationTag,
      logRetention: attributes.logRetention ?? logs.RetentionDays.ONE_MONTH,
      deploymentGroupAlarmLimit: attributes.deploymentGroupAlarmLimit ?? MAX_ALARMS_PER_DEPLOYMENT_GROUP,
      encryptionKey,
      healthAlarmAction: attributes.healthAlarmAction,
      ...(attributes.reportBucketName ? { reportBucket: s3.Bucket.fromBucketName(this, 'ReportBucket', attributes.reportBucketName), overrideBucketName: attributes.reportBucketName } : {}),
      ecsNativeExtended: extendedOf(this, attributes, encryptionKey !== undefined),
      onStopsDeployments: (groupPath) => {
        // The evaluator's roles are not this stack's to change: say what the platform team must set.
        Annotations.of(this).addWarningV2(
          'canary-evaluator:stopDeployments',
          `the policy of ${groupPath} stops deployments (canaryWatch.stopDeploymentOnFail): the shared evaluator must be deployed with \`canaryWatchStopsDeployments: true\`, or its canary watch cannot stop the deployment (the post-traffic verdict still rolls it back)`,
        );
      },
    };
  }

  registerLambdaDeploymentGroup(group: codedeploy.LambdaDeploymentGroup, registration: LambdaDeploymentGroupRegistration): RegisteredLambdaDeploymentGroup {
    return registerLambdaGroup(this, this.registrationId(group), this.binding, group, registration);
  }

  registerEcsDeploymentGroup(group: codedeploy.IEcsDeploymentGroup, registration: EcsDeploymentGroupRegistration): RegisteredEcsDeploymentGroup {
    return registerEcsGroup(this, this.registrationId(group), this.binding, group, registration);
  }

  registerEcsService(service: ecs.BaseService, registration: EcsServiceRegistration): RegisteredEcsService {
    if (!this.binding.reportBucket && this.reportBucketNameParameter) {
      const name = ssm.StringParameter.valueForStringParameter(this, this.reportBucketNameParameter);
      this.binding = { ...this.binding, reportBucket: s3.Bucket.fromBucketName(this, 'ReportBucket', name) };
    }
    return registerEcsNativeService(this, this.registrationId(service), this.binding, service, registration);
  }

  private registrationId(group: IConstruct): string {
    return registrationIdOf(group, this.registeredGroups, this.node.path);
  }
}


/** Reads an evaluator's attributes from the SSM parameters it writes (CloudFormation resolves them at deploy time). */
export function attributesFromParameters(scope: Construct, evaluatorName: string, options: { readonly encrypted?: boolean; readonly ecsNativeMaxHookTimeout?: Duration }): CanaryEvaluatorAttributes {
  const names = evaluatorParameterNames(evaluatorName);
  const read = (name: string) => ssm.StringParameter.valueForStringParameter(scope, name);
  return {
    stateMachineArn: read(names.stateMachineArn),
    hookDeadLetterQueueArn: read(names.hookDeadLetterQueueArn),
    // The tag value of an evaluator with `evaluatorName` is its name (CanaryEvaluator.registrationTag).
    registrationTag: evaluatorName,
    ...(options.encrypted ? { encryptionKeyArn: read(names.encryptionKeyArn) } : {}),
    ...(options.ecsNativeMaxHookTimeout ? { ecsNativeExtendedStateMachineArn: read(names.ecsNativeExtendedStateMachineArn), ecsNativeMaxHookTimeout: options.ecsNativeMaxHookTimeout } : {}),
  };
}

/** The extended state machine of an imported evaluator, from its attributes; both or neither must be given. */
function extendedOf(scope: Construct, attributes: CanaryEvaluatorAttributes, encrypted: boolean): EcsNativeEvaluatorBinding['ecsNativeExtended'] {
  const { ecsNativeExtendedStateMachineArn: arn, ecsNativeMaxHookTimeout: max } = attributes;
  if (arn === undefined && max === undefined) return undefined;
  if (arn === undefined || max === undefined) {
    throw new Error(`${scope.node.path}: give ecsNativeExtendedStateMachineArn and ecsNativeMaxHookTimeout together (the evaluator's extended state machine and its ecsNativeMaxHookTimeout), or neither`);
  }
  return { stateMachineArn: arn, maxHookTimeoutMinutes: ecsNativeMaxHookTimeoutMinutes(max)!, ...(encrypted ? { executionArnForKms: arn } : {}) };
}
