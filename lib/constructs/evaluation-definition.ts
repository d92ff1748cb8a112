import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * State names. They are part of the contract with the local simulation, which binds a handler to
 * each Task by name, so they live here, next to the one definition of the state machine.
 */
export const STATE = {
  prepare: 'Prepare',
  evaluate: 'Evaluate',
  decide: 'Decide',
  wait: 'Wait for next period',
  passed: 'Verdict passed',
  failed: 'Verdict failed',
  report: 'Report verdict',
  reportError: 'Report evaluator error',
  done: 'Done',
  evaluatorFailed: 'Evaluator failed',
} as const;

/** The Task states, each bound to one Lambda (and, locally, to one handler). */
export const TASK_STATES = [STATE.prepare, STATE.evaluate, STATE.report, STATE.reportError] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface EvaluationFunctions {
  readonly prepare: IFunction;
  readonly evaluate: IFunction;
  readonly report: IFunction;
}

/** Hook ids come from the execution input, so a report can be made whatever the current state holds. */
const HOOK_IDS = {
  deploymentId: sfn.JsonPath.stringAt('$$.Execution.Input.deploymentId'),
  lifecycleEventHookExecutionId: sfn.JsonPath.stringAt('$$.Execution.Input.lifecycleEventHookExecutionId'),
};

function invoke(scope: Construct, id: string, fn: IFunction, props: Omit<tasks.LambdaInvokeProps, 'lambdaFunction'>) {
  return new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    ...props,
  });
}

/**
 * The evaluation workflow, the single source of truth for the deployed state machine and the local
 * simulation: prepare → evaluate ⟲ wait → report. Every Task's errors lead to reporting `Failed`.
 */
export function buildEvaluationDefinition(scope: Construct, fns: EvaluationFunctions): sfn.IChainable {
  const evaluatorFailed = new sfn.Fail(scope, STATE.evaluatorFailed, {
    error: 'EvaluatorFailed',
    causePath: sfn.JsonPath.stringAt('$.error.Cause'),
  });
  const reportError = invoke(scope, STATE.reportError, fns.report, {
    payload: sfn.TaskInput.fromObject({
      ...HOOK_IDS,
      status: 'Failed',
      reason: sfn.JsonPath.format('evaluator error: {}', sfn.JsonPath.stringAt('$.error.Cause')),
    }),
    resultPath: '$.report',
  })
    .addRetry({ errors: ['States.ALL'], maxAttempts: 4, interval: Duration.seconds(5), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL })
    .addCatch(evaluatorFailed, { resultPath: '$.reportError' })
    .next(evaluatorFailed);
  const onError = { resultPath: '$.error' };

  const prepare = invoke(scope, STATE.prepare, fns.prepare, { resultPath: '$.plan' }).addCatch(reportError, onError);

  const evaluate = invoke(scope, STATE.evaluate, fns.evaluate, {
    payload: sfn.TaskInput.fromObject({ input: sfn.JsonPath.objectAt('$$.Execution.Input'), plan: sfn.JsonPath.objectAt('$.plan') }),
    resultSelector: {
      'decision.$': '$.decision',
      'final.$': '$.final',
      'reason.$': '$.reason',
      'waitSeconds.$': '$.waitSeconds',
      'periodsJudged.$': '$.periodsJudged',
    },
    resultPath: '$.tick',
  }).addCatch(reportError, onError);

  const report = invoke(scope, STATE.report, fns.report, {
    payload: sfn.TaskInput.fromObject({
      ...HOOK_IDS,
      status: sfn.JsonPath.stringAt('$.outcome.status'),
      reason: sfn.JsonPath.stringAt('$.tick.reason'),
    }),
    resultPath: '$.report',
  })
    .addRetry({ errors: ['States.ALL'], maxAttempts: 4, interval: Duration.seconds(5), backoffRate: 2, jitterStrategy: sfn.JitterType.FULL })
    .addCatch(reportError, onError)
    .next(new sfn.Succeed(scope, STATE.done));

  const passed = new sfn.Pass(scope, STATE.passed, { result: sfn.Result.fromObject({ status: 'Succeeded' }), resultPath: '$.outcome' }).next(report);
  const failed = new sfn.Pass(scope, STATE.failed, { result: sfn.Result.fromObject({ status: 'Failed' }), resultPath: '$.outcome' }).next(report);
  const wait = new sfn.Wait(scope, STATE.wait, { time: sfn.WaitTime.secondsPath('$.tick.waitSeconds') }).next(evaluate);

  const decide = new sfn.Choice(scope, STATE.decide)
    .when(sfn.Condition.stringEquals('$.tick.decision', 'fail'), failed)
    .when(sfn.Condition.stringEquals('$.tick.decision', 'pass'), passed)
    .otherwise(wait);

  return prepare.next(evaluate).next(decide);
}
