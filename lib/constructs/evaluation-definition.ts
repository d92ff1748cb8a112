import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

import { MAX_WAIT_SECONDS, PUBLISH_TASK } from '../evaluation/contracts';
import { STATE } from '../evaluation/state-names';

export { STATE, TASK_STATES, WAIT_STATES, type TaskState } from '../evaluation/state-names';

export interface EvaluationFunctions {
  readonly prepare: IFunction;
  readonly evaluate: IFunction;
  readonly report: IFunction;
  readonly smoke: IFunction;
  readonly watch: IFunction;
}

/** The execution input carries the hook ids: a report can be made whatever the current state holds. */
const EXECUTION_INPUT = sfn.JsonPath.objectAt('$$.Execution.Input');
/** The execution's ARN: the notification links it, from wherever the verdict is published (Task or sweep). */
const EXECUTION_ARN = sfn.JsonPath.stringAt('$$.Execution.Id');

/** Lambda throttling is transient; Lambda's own service errors are retried by `retryOnServiceExceptions`. */
function invoke(scope: Construct, id: string, fn: IFunction, timeout: Duration, props: Omit<tasks.LambdaInvokeProps, 'lambdaFunction'>) {
  return new tasks.LambdaInvoke(scope, id, { lambdaFunction: fn, payloadResponseOnly: true, retryOnServiceExceptions: true, taskTimeout: sfn.Timeout.duration(timeout), ...props }).addRetry({
    errors: ['Lambda.TooManyRequestsException'],
    maxAttempts: 6,
    interval: Duration.seconds(2),
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** A Choice condition that is false, not a runtime error, when the field is absent (a malformed step result). */
const present = (path: string, condition: sfn.Condition) => sfn.Condition.and(sfn.Condition.isPresent(path), condition);
/**
 * A wait a Wait state can take: present, numeric, 1 s to 1 h. `IsNumeric` alone fails the execution
 * with States.Runtime on an absent field, and lets −5 or 1e12 through to fail at the Wait.
 */
const validWait = (path: string) =>
  sfn.Condition.and(sfn.Condition.isPresent(path), sfn.Condition.isNumeric(path), sfn.Condition.numberGreaterThanEquals(path, 1), sfn.Condition.numberLessThanEquals(path, MAX_WAIT_SECONDS));

/**
 * Publishes the verdict event the report step returned. Every error is retried, a few times with
 * backoff: the publication ledger makes each step (verdict metrics, event, notification) once, however
 * often the function runs. When every attempt fails the execution goes on: the report step recorded the
 * verdict pending, and the sweep (outside this Task) publishes its missing steps, so the event is
 * neither lost nor doubled (issue 11).
 */
function publish(scope: Construct, id: string, fn: IFunction) {
  return new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    taskTimeout: sfn.Timeout.duration(Duration.seconds(PUBLISH_TASK.timeoutSeconds)),
    // The execution input and ARN: the registration's `notify` switch, the target and the execution link of the notification.
    payload: sfn.TaskInput.fromObject({ mode: 'publish', event: sfn.JsonPath.objectAt('$.report.event'), execution: EXECUTION_INPUT, executionArn: EXECUTION_ARN }),
    resultPath: sfn.JsonPath.DISCARD,
  })
    .addRetry({ errors: ['Lambda.TooManyRequestsException'], maxAttempts: 6, interval: Duration.seconds(2), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL })
    .addRetry({ errors: ['States.ALL'], maxAttempts: PUBLISH_TASK.retries, interval: Duration.seconds(PUBLISH_TASK.intervalSeconds), backoffRate: PUBLISH_TASK.backoffRate, jitterStrategy: sfn.JitterType.FULL });
}

/**
 * Publishes when the report step returned an event (a path the payload names must exist, or the Task
 * fails with an uncatchable States.Runtime); a publish that failed every attempt goes on to `then` like
 * a done one (the sweep finishes it).
 */
function publishIfAny(scope: Construct, id: string, task: sfn.TaskStateBase, then: sfn.IChainable) {
  task.addCatch(then, { resultPath: '$.publishError' }).next(then);
  return new sfn.Choice(scope, id).when(sfn.Condition.isPresent('$.report.event'), task).otherwise(then);
}

/** Report tasks retry everything: a report that never arrives holds the deployment for an hour. */
const REPORT_RETRY: sfn.RetryProps = { errors: ['States.ALL'], maxAttempts: 4, interval: Duration.seconds(5), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL };

/**
 * The evaluation workflow, the single source of truth for the deployed state machine and the local
 * simulation (see docs/workflow.md):
 * - pre-traffic: prepare → smoke tests → report → canary watch ⟲ (until the deployment ends);
 * - bake: prepare → evaluate ⟲ wait → post-deploy smoke tests → report.
 * Every Task's errors, and any malformed step result, lead to "Report evaluator error"; a failure the
 * machine cannot catch (its own timeout, an abort) is reported by the reaper (EventBridge → report Lambda).
 */
export function buildEvaluationDefinition(scope: Construct, fns: EvaluationFunctions): sfn.IChainable {
  const evaluatorFailed = new sfn.Fail(scope, STATE.evaluatorFailed, {
    error: 'EvaluatorFailed',
    cause: 'the hook could not be reported from the state machine; the reaper reports it when this execution fails',
  });
  const reportError = invoke(scope, STATE.reportError, fns.report, Duration.seconds(60), {
    payload: sfn.TaskInput.fromObject({ mode: 'error', execution: EXECUTION_INPUT, executionArn: EXECUTION_ARN, state: sfn.JsonPath.objectAt('$') }),
    resultPath: '$.report',
  })
    .addRetry(REPORT_RETRY)
    .addCatch(evaluatorFailed, { resultPath: '$.reportError' })
    .next(publishIfAny(scope, STATE.publishErrorNeeded, publish(scope, STATE.publishError, fns.report), evaluatorFailed));
  const onError = { resultPath: '$.error' };
  const malformed = new sfn.Pass(scope, STATE.malformed, {
    result: sfn.Result.fromObject({ Error: 'MalformedResult', Cause: 'a step returned a result without the fields the workflow needs' }),
    resultPath: '$.error',
  }).next(reportError);

  const done = new sfn.Succeed(scope, STATE.done);

  // Canary watch: only after the pre-traffic hook reported Succeeded. Its errors end the watch, not the
  // hook (already reported); the verdict alarm and the bake hook still guard the deployment.
  const watch = invoke(scope, STATE.watch, fns.watch, Duration.seconds(90), {
    payload: sfn.TaskInput.fromObject({ input: EXECUTION_INPUT, plan: sfn.JsonPath.objectAt('$.plan') }),
    resultPath: '$.watch',
  }).addCatch(new sfn.Pass(scope, STATE.watchError, { resultPath: sfn.JsonPath.DISCARD }).next(done), onError);
  const watchWait = new sfn.Wait(scope, STATE.watchWait, { time: sfn.WaitTime.secondsPath('$.watch.waitSeconds') }).next(watch);
  watch.next(
    new sfn.Choice(scope, STATE.watchDecide)
      .when(sfn.Condition.and(present('$.watch.done', sfn.Condition.booleanEquals('$.watch.done', false)), validWait('$.watch.waitSeconds')), watchWait)
      .otherwise(done),
  );
  const watchNeeded = new sfn.Choice(scope, STATE.watchNeeded)
    .when(sfn.Condition.and(present('$.plan.canaryWatch', sfn.Condition.booleanEquals('$.plan.canaryWatch', true)), present('$.report.status', sfn.Condition.stringEquals('$.report.status', 'Succeeded'))), watch)
    .otherwise(done);

  const report = invoke(scope, STATE.report, fns.report, Duration.seconds(60), {
    payload: sfn.TaskInput.fromObject({ mode: 'verdict', execution: EXECUTION_INPUT, executionArn: EXECUTION_ARN, state: sfn.JsonPath.objectAt('$') }),
    resultPath: '$.report',
  })
    .addRetry(REPORT_RETRY)
    .addCatch(reportError, onError)
    .next(
      // A report result without `result` means the hook may not be reported: the error path reports it
      // (an execution ending SUCCEEDED is never reaped, so the hook would wait out its hour).
      new sfn.Choice(scope, STATE.reportMade)
        .when(present('$.report.result', sfn.Condition.or(sfn.Condition.stringEquals('$.report.result', 'reported'), sfn.Condition.stringEquals('$.report.result', 'already-completed'))), publishIfAny(scope, STATE.publishNeeded, publish(scope, STATE.publish, fns.report), watchNeeded))
        .otherwise(malformed),
    );

  // Outcomes: constant objects; the report step reads the reason from the state (tick or smoke summary).
  const outcome = (id: string, decision: 'pass' | 'fail' | 'inconclusive', cause: 'verdict' | 'smoke-tests' | 'override') =>
    new sfn.Pass(scope, id, { result: sfn.Result.fromObject({ decision, cause }), resultPath: '$.outcome' }).next(report);
  // A bake that reached its deadline without a verdict runs the post-deploy smoke tests too, then
  // reports `inconclusive` (the report step applies the policy's onInconclusive).
  const passed = new sfn.Choice(scope, STATE.passedOrInconclusive)
    .when(present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'inconclusive')), outcome(STATE.inconclusive, 'inconclusive', 'verdict'))
    .otherwise(outcome(STATE.passed, 'pass', 'verdict'));
  const failed = outcome(STATE.failed, 'fail', 'verdict');
  const smokeFailed = outcome(STATE.smokeFailed, 'fail', 'smoke-tests');
  const preTrafficPassed = outcome(STATE.preTrafficPassed, 'pass', 'smoke-tests');

  const smokeTests = (id: string, phase: 'pre-traffic' | 'post-deploy', resultId: string, onPass: sfn.IChainable) =>
    invoke(scope, id, fns.smoke, Duration.seconds(90), {
      payload: sfn.TaskInput.fromObject({ input: EXECUTION_INPUT, phase }),
      resultPath: '$.smoke',
    })
      .addCatch(reportError, onError)
      .next(
        new sfn.Choice(scope, resultId)
          .when(present('$.smoke.passed', sfn.Condition.booleanEquals('$.smoke.passed', true)), onPass)
          .when(present('$.smoke.passed', sfn.Condition.booleanEquals('$.smoke.passed', false)), smokeFailed)
          .otherwise(malformed),
      );
  const hasSmokeTests = sfn.Condition.and(sfn.Condition.isPresent('$.plan.smokeTests'), sfn.Condition.isNumeric('$.plan.smokeTests'), sfn.Condition.numberGreaterThan('$.plan.smokeTests', 0));

  const preSmokeNeeded = new sfn.Choice(scope, STATE.preSmokeNeeded)
    .when(hasSmokeTests, smokeTests(STATE.preSmoke, 'pre-traffic', STATE.preSmokeResult, preTrafficPassed))
    .otherwise(preTrafficPassed);
  const postSmokeNeeded = new sfn.Choice(scope, STATE.postSmokeNeeded)
    .when(hasSmokeTests, smokeTests(STATE.postSmoke, 'post-deploy', STATE.postSmokeResult, passed))
    .otherwise(passed);

  // Each tick hands the log signal's state (LogSignalState, `{}` without `logs`) to the next one: a
  // payload path to an absent field is an uncatchable States.Runtime error, so "Start bake" puts it in
  // place before the first tick, and "Decide" loops only on a tick that returned it.
  const evaluate = invoke(scope, STATE.evaluate, fns.evaluate, Duration.seconds(90), {
    payload: sfn.TaskInput.fromObject({ input: EXECUTION_INPUT, plan: sfn.JsonPath.objectAt('$.plan'), logSignal: sfn.JsonPath.objectAt('$.tick.logSignal') }),
    resultPath: '$.tick',
  }).addCatch(reportError, onError);
  const startBake = new sfn.Pass(scope, STATE.startBake, { result: sfn.Result.fromObject({ logSignal: {} }), resultPath: '$.tick' }).next(evaluate);
  const wait = new sfn.Wait(scope, STATE.wait, { time: sfn.WaitTime.secondsPath('$.tick.waitSeconds') }).next(evaluate);
  // An honoured override (lib/evaluation/override) goes straight to its outcome: no post-deploy smoke tests.
  const overridden = present('$.tick.override.honoured', sfn.Condition.booleanEquals('$.tick.override.honoured', true));
  evaluate.next(
    new sfn.Choice(scope, STATE.decide)
      .when(sfn.Condition.and(overridden, present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'fail'))), outcome(STATE.overriddenFail, 'fail', 'override'))
      .when(sfn.Condition.and(overridden, present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'pass'))), outcome(STATE.overriddenPass, 'pass', 'override'))
      .when(present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'fail')), failed)
      .when(present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'pass')), postSmokeNeeded)
      .when(present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'inconclusive')), postSmokeNeeded)
      .when(sfn.Condition.and(present('$.tick.decision', sfn.Condition.stringEquals('$.tick.decision', 'continue')), validWait('$.tick.waitSeconds'), sfn.Condition.isPresent('$.tick.logSignal')), wait)
      .otherwise(malformed),
  );

  const prepare = invoke(scope, STATE.prepare, fns.prepare, Duration.seconds(30), { resultPath: '$.plan' }).addCatch(reportError, onError);
  return prepare.next(
    new sfn.Choice(scope, STATE.routePhase)
      .when(present('$.plan.phase', sfn.Condition.stringEquals('$.plan.phase', 'pre-traffic')), preSmokeNeeded)
      .when(present('$.plan.phase', sfn.Condition.stringEquals('$.plan.phase', 'bake')), startBake)
      .otherwise(malformed),
  );
}

/** What the evaluator's state machine is built from. */
export interface EvaluationStateMachineProps {
  readonly functions: EvaluationFunctions;
  /** Known at synth when a customer managed key's grant must name it. @default - generated by CloudFormation */
  readonly stateMachineName?: string;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** @default - AWS owned keys */
  readonly encryptionKey?: kms.IKey;
}

/** The evaluator's Standard state machine (the definition above), traced, logging everything to its own log group. */
export function createEvaluationStateMachine(scope: Construct, props: EvaluationStateMachineProps): { stateMachine: sfn.StateMachine; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'StateMachineLogs', {
    // Under /aws/vendedlogs/: CloudWatch Logs resource policies are limited in size, and vended-log
    // delivery to other prefixes adds a statement per log group (Step Functions Developer Guide, "Logging").
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 400, separator: '-' })}`,
    retention: props.logRetention,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineType: sfn.StateMachineType.STANDARD,
    stateMachineName: props.stateMachineName,
    definitionBody: sfn.DefinitionBody.fromChainable(buildEvaluationDefinition(new Construct(scope, 'Workflow'), props.functions)),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    encryptionConfiguration: props.encryptionKey ? new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey) : undefined,
  });
  return { stateMachine, logGroup };
}
