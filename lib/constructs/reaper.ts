import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { reaperEventPattern, SWEEP_INTERVAL_MINUTES, sweepEvent } from '../evaluation/contracts';
import { acknowledgeWildcardResources } from './nag-acknowledgements';
import { readDeploymentTargetsStatement } from './service-authorization';

export interface ReaperProps {
  /** The evaluator's state machines: the standard one first, then the extended one of long ECS native evaluations, if any. */
  readonly stateMachines: readonly sfn.StateMachine[];
  /** The report function: the one reporting code path. */
  readonly reportFunction: lambda.IFunction;
  /** Where events the rule cannot deliver go (its alarm says a hook may be unreported). */
  readonly deadLetterQueue: sqs.IQueue;
  /** @default - AWS owned keys */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A state-machine timeout or abort cannot be caught inside the machine: an EventBridge rule on the
 * execution's FAILED, TIMED_OUT and ABORTED status events calls the report function, which reports
 * the hook `Failed`. Those events are best effort, so a schedule also has the report function sweep
 * the executions that ended so (`SWEEP_INTERVAL_MINUTES` in lib/evaluation/contracts.ts).
 */
export class Reaper extends Construct {
  public readonly rule: events.Rule;
  /** Every `SWEEP_INTERVAL_MINUTES`: the report function reports executions whose status event was lost. */
  public readonly sweepSchedule: scheduler.Schedule;
  /** One sweep per state machine (a sweep lists one machine's executions); `sweepSchedule` is the first's. */
  public readonly sweepSchedules: scheduler.Schedule[];
  /**
   * Lets the report function list ended executions (`ListExecutions`), read their input
   * (`DescribeExecution`) and history (`GetExecutionHistory`: the verdicts they accepted, issue 23 item
   * 3), and read a hook's status in CodeDeploy (`ListDeploymentTargets`, `GetDeploymentTarget`:
   * wildcard-only actions) when the state machine finds the hook already completed (item 4).
   */
  public readonly describeExecutionPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: ReaperProps) {
    super(scope, id);
    // Ids on the parent scope keep the logical ids these resources had before this construct existed.
    this.rule = new events.Rule(scope, 'Reaper', { eventPattern: reaperEventPattern(...props.stateMachines.map((machine) => machine.stateMachineArn)) });
    this.rule.addTarget(
      new eventsTargets.LambdaFunction(props.reportFunction, { retryAttempts: 8, maxEventAge: Duration.minutes(30), deadLetterQueue: props.deadLetterQueue }),
    );
    // An EventBridge Scheduler schedule, not a scheduled rule: AWS recommends Scheduler for scheduled
    // invocations (EventBridge User Guide, "Creating a scheduled rule (legacy) in Amazon EventBridge": scheduled rules are a
    // legacy feature). A sweep older than an interval is superseded by the next one.
    // The schedule's own role, assumable by Scheduler for this account only; it may invoke the report function.
    const sweepRole = new iam.Role(scope, 'ReaperSweepRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    });
    // The first keeps the id it had when the evaluator had one state machine.
    this.sweepSchedules = props.stateMachines.map((machine, index) => new scheduler.Schedule(scope, index === 0 ? 'ReaperSweep' : `ReaperSweep${index + 1}`, {
      description: 'Reports evaluation executions that ended FAILED, TIMED_OUT or ABORTED whose status event was lost',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(SWEEP_INTERVAL_MINUTES)),
      target: new schedulerTargets.LambdaInvoke(props.reportFunction, {
        role: sweepRole,
        input: scheduler.ScheduleTargetInput.fromObject(sweepEvent(machine.stateMachineArn)),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(SWEEP_INTERVAL_MINUTES),
        deadLetterQueue: props.deadLetterQueue,
      }),
    }));
    this.sweepSchedule = this.sweepSchedules[0];
    acknowledgeWildcardResources(sweepRole, [`${props.reportFunction.functionArn}:*`], "CDK's grantInvoke covers the report function's qualified ARNs; the sweep invokes the report function only");
    // The reaper rule's undeliverable events go to the key-encrypted dead-letter queue.
    if (props.encryptionKey) props.encryptionKey.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    // Executions' input, for events that do not carry it. A separate policy: in the function's default
    // policy it would make the function depend on the state machine that invokes it (a cycle).
    this.describeExecutionPolicy = new iam.Policy(scope, 'ReaperDescribeExecution', {
      roles: [props.reportFunction.role!],
      statements: [
        new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: props.stateMachines.map((machine) => machine.stateMachineArn) }),
        readDeploymentTargetsStatement(),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          resources: props.stateMachines.map((machine) =>
            Stack.of(scope).formatArn({ service: 'states', resource: 'execution', resourceName: `${machine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ),
        }),
      ],
    });
  }
}
