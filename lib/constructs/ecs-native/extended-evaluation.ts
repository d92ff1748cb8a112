import { Duration, Names } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ECS_HOOK_TIMEOUT, ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES, ecsNativeExecutionTimeoutSeconds } from '../../evaluation/ecs-native/contract';
import { createEvaluationStateMachine, type EvaluationFunctions } from '../evaluation-definition';
import { failedEvaluationsAlarm } from '../health-alarms';
import { grantExecutionData, stateMachineArnOf } from '../service-authorization';

/**
 * `ecsNativeMaxHookTimeout` in whole minutes, or undefined when unset; an error naming the prop and the
 * range otherwise. The range is a judged ECS hook's (`registerEcsService`'s `hookTimeout`).
 */
export function ecsNativeMaxHookTimeoutMinutes(maxHookTimeout: Duration | undefined): number | undefined {
  if (maxHookTimeout === undefined) return undefined;
  const minutes = maxHookTimeout.toMinutes({ integral: false });
  if (!Number.isInteger(minutes) || minutes < ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES || minutes > ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes) {
    throw new Error(
      `ecsNativeMaxHookTimeout is ${maxHookTimeout.toHumanString()}; expected whole minutes from ${ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES} to ${ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes} (the timeouts an ECS service's judged lifecycle hook may have; Amazon ECS Developer Guide, "Lambda hooks for Amazon ECS service deployments")`,
    );
  }
  return minutes;
}

export interface ExtendedEvaluationProps {
  readonly functions: EvaluationFunctions;
  /** `ecsNativeMaxHookTimeout`, validated, in minutes. */
  readonly maxHookTimeoutMinutes: number;
  readonly logRetention: logs.RetentionDays;
  /** @default - AWS owned keys */
  readonly encryptionKey?: kms.IKey;
  /** @default - no action */
  readonly healthAlarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The evaluator's second state machine, for ECS native evaluations that bake or watch longer than a
 * CodeDeploy hook's hour (issue 27 item 3): the same definition as the standard machine, with the timeout the
 * longest hook timeout it serves needs (`ecsNativeExecutionTimeoutSeconds`), so an execution that hangs times
 * out, and the reaper records its status, before the hook function's answer guard. The standard machine keeps
 * its under-an-hour timeout: CodeDeploy's one-hour guarantee does not depend on this one. The reaper, sweep and
 * dashboard of the evaluator cover it (lib/constructs/reaper.ts); its failed-evaluations alarm is here.
 */
export class ExtendedEvaluation extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  /** With a customer managed key: the ARN the key's encryption context names for this machine's executions. */
  public readonly executionArnForKms?: string;
  /** ALARM when an extended evaluation failed, timed out or was aborted. */
  public readonly failedEvaluationsAlarm: cloudwatch.Alarm;
  public readonly maxHookTimeoutMinutes: number;
  public readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: ExtendedEvaluationProps & { readonly reportFunction: lambda.IFunction }) {
    super(scope, id);
    this.maxHookTimeoutMinutes = props.maxHookTimeoutMinutes;
    this.timeoutSeconds = ecsNativeExecutionTimeoutSeconds(props.maxHookTimeoutMinutes);
    // With a customer managed key the key grant's condition names the state machine (as the standard machine's).
    const stateMachineName = props.encryptionKey ? Names.uniqueResourceName(this, { maxLength: 80, separator: '-' }) : undefined;
    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = createEvaluationStateMachine(this, {
      functions: props.functions,
      stateMachineName,
      timeout: Duration.seconds(this.timeoutSeconds),
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
    }));
    if (props.encryptionKey && stateMachineName) {
      this.executionArnForKms = stateMachineArnOf(this, stateMachineName);
      // DescribeExecution returns the encrypted input: the reaper decrypts it, for this machine's executions too.
      grantExecutionData(props.encryptionKey, props.reportFunction, this.executionArnForKms, ['kms:Decrypt']);
    }
    this.failedEvaluationsAlarm = failedEvaluationsAlarm(this, 'FailedEvaluationsAlarm', this.stateMachine, 'a long ECS native evaluation (extended state machine)', props.healthAlarmAction);
  }
}
