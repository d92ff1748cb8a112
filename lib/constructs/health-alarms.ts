import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** An alarm on an evaluator-health metric: any occurrence in five minutes; no data is healthy. */
export function healthAlarm(scope: Construct, id: string, props: Pick<cloudwatch.AlarmProps, 'alarmDescription' | 'metric'>, action?: cloudwatch.IAlarmAction): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    ...props,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (action) alarm.addAlarmAction(action);
  return alarm;
}

/** The sum of the functions' `Errors` over five minutes. */
export function sumOfErrors(functions: Record<string, lambda.IFunction>): cloudwatch.IMetric {
  const usingMetrics = Object.fromEntries(Object.entries(functions).map(([name, fn], index) => [`e${index}`, fn.metricErrors({ label: name })]));
  return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, label: 'Errors', period: Duration.minutes(5) });
}

/** ALARM when an execution of `stateMachine` failed, timed out or was aborted (the reaper reported it). */
export function failedEvaluationsAlarm(scope: Construct, id: string, stateMachine: sfn.IStateMachine, what: string, action?: cloudwatch.IAlarmAction): cloudwatch.Alarm {
  return healthAlarm(scope, id, {
    alarmDescription: `canary-evaluator: ${what} failed, timed out or was aborted; the reaper reported Failed to CodeDeploy (or recorded FAILED for the ECS hook). See the state machine execution for the cause.`,
    metric: new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: { failed: stateMachine.metricFailed(), timedOut: stateMachine.metricTimedOut(), aborted: stateMachine.metricAborted() },
      label: 'Failed, timed-out and aborted evaluations',
      period: Duration.minutes(5),
    }),
  }, action);
}

export interface EvaluatorHealthAlarmsProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The functions of the evaluation whose errors Step Functions retries and then reports. */
  readonly functions: Record<string, lambda.IFunction>;
  /** The canary watch and smoke-test functions: their errors end a watch silently or fail smoke tests. */
  readonly workflowFunctions: Record<string, lambda.IFunction>;
  readonly hookDeadLetterQueue: sqs.IQueue;
  /** @default - no action */
  readonly action?: cloudwatch.IAlarmAction;
}

/** The evaluator's own health: failed evaluations, evaluator Lambda errors, hook dead letters. */
export class EvaluatorHealthAlarms extends Construct {
  /** ALARM when an evaluation failed, timed out or was aborted (the reaper reported `Failed`). */
  public readonly failedEvaluations: cloudwatch.Alarm;
  /** ALARM when an evaluator Lambda errs. */
  public readonly evaluatorErrors: cloudwatch.Alarm;
  /** ALARM when the watch or smoke-test Lambda errs (a watch error ends the watch, not the deployment). */
  public readonly workflowErrors: cloudwatch.Alarm;
  /** ALARM when a hook invocation ended in the dead-letter queue. */
  public readonly hookDeadLetters: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EvaluatorHealthAlarmsProps) {
    super(scope, id);
    const { stateMachine } = props;
    // Ids on the parent scope: the alarms keep the logical ids they had before this construct existed.
    this.failedEvaluations = failedEvaluationsAlarm(scope, 'FailedEvaluationsAlarm', stateMachine, 'an evaluation', props.action);
    this.evaluatorErrors = healthAlarm(scope, 'EvaluatorErrorsAlarm', {
      alarmDescription: `canary-evaluator: an evaluator Lambda (${Object.keys(props.functions).join(', ')}) returned errors; Step Functions retries, then reports Failed.`,
      metric: sumOfErrors(props.functions),
    }, props.action);
    this.workflowErrors = healthAlarm(scope, 'WorkflowErrorsAlarm', {
      alarmDescription:
        'canary-evaluator: the canary watch or smoke-test Lambda returned errors. A watch error ends the watch silently (the hook was already reported): no StopDeployment, no canary-watch event.',
      metric: sumOfErrors(props.workflowFunctions),
    }, props.action);
    this.hookDeadLetters = healthAlarm(scope, 'HookDeadLetterAlarm', {
      alarmDescription:
        'canary-evaluator: a hook invocation failed after all retries and may not have been reported; its deployment waits for the one-hour CodeDeploy timeout unless stopped.',
      metric: props.hookDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
    }, props.action);
  }

  get all(): cloudwatch.Alarm[] {
    return [this.failedEvaluations, this.evaluatorErrors, this.workflowErrors, this.hookDeadLetters];
  }
}
