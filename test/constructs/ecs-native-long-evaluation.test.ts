import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator, type CanaryEvaluatorProps } from '../../lib';
import { ECS_ANSWER_GUARD_SECONDS, ECS_HOOK_ENVIRONMENT, ecsNativeDeploymentLimits, ecsNativeExecutionTimeoutSeconds } from '../../lib/evaluation/ecs-native/contract';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS, REPORT_RESERVE_SECONDS } from '../../lib/policy/limits';
import { ENV, noBundlingApp } from './support/all-options-stack';
import { nativeEcsService } from './support/ecs-native-service';

/** Issue 27 item 3: ECS native bakes and watches longer than CodeDeploy's hour, on an extended state machine. */

const preset = { preset: 'alb-5xx-rate' as const };
const shortBake = { metrics: [preset], bake: { duration: '20m', period: '5m' } };
const twoHourBake = { metrics: [preset], bake: { duration: '2h', period: '5m' } };
const lambdaTwoHourBake = { metrics: [{ preset: 'lambda-error-rate' as const }], bake: { duration: '2h', period: '5m' } };

type Statement = { Action: string | string[]; Resource: unknown };
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function setup(props: CanaryEvaluatorProps = {}) {
  const stack = new Stack(noBundlingApp(), 'Long', { env: ENV });
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', props);
  const web = nativeEcsService(stack, 'Web');
  const targets = { loadBalancer: web.loadBalancer, productionTargetGroup: web.productionTargetGroup, alternateTargetGroup: web.alternateTargetGroup };
  return { stack, evaluator, web, targets };
}

const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const machinesOf = (resources: Resources) => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
/** A state machine's `TimeoutSeconds`, from its definition (the L2 writes it last, after the states and their task timeouts). */
const timeoutOf = (machine: { Properties?: Record<string, unknown> }) => Number([...JSON.stringify(machine.Properties!.DefinitionString).replace(/\\"/g, '"').matchAll(/"TimeoutSeconds":(\d+)/g)].at(-1)?.[1]);
const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

function hookStatements(stack: Stack, hook: { role?: unknown }): Statement[] {
  const roleId = idOf(stack, hook.role as never);
  return Object.values(resourcesOf(stack))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('ecsNativeMaxHookTimeout: an extended state machine for long ECS native evaluations', () => {
  test('without the prop: one state machine, under an hour; a two-hour bake is refused with the prop to set', () => {
    const { stack, evaluator, web, targets } = setup();
    expect(evaluator.extendedEvaluation).toBeUndefined();
    expect(() => evaluator.registerEcsService(web.service, { policy: twoHourBake, ...targets, hookTimeout: Duration.minutes(240) })).toThrow(
      /bakes or watches longer than the evaluator's evaluation timeout \(55 min \(3300 s\).*Set ecsNativeMaxHookTimeout: Duration\.minutes\(240\)/,
    );
    const machines = machinesOf(resourcesOf(stack));
    expect(machines).toHaveLength(1);
    expect(timeoutOf(machines[0][1])).toBe(DEFAULT_EVALUATION_TIMEOUT_SECONDS);
  });

  test('with the prop: a second machine whose timeout the longest hook gives; the first keeps its timeout; the reaper, sweeps and alarm cover both', () => {
    const { stack, evaluator } = setup({ ecsNativeMaxHookTimeout: Duration.minutes(240) });
    const resources = resourcesOf(stack);
    const machines = machinesOf(resources);
    expect(machines.map(([, r]) => timeoutOf(r)).sort((a, b) => Number(a) - Number(b))).toEqual([DEFAULT_EVALUATION_TIMEOUT_SECONDS, ecsNativeExecutionTimeoutSeconds(240)]);
    // Past the plan's deadline, before the hook function's answer guard (the reaper records a status first).
    expect(ecsNativeExecutionTimeoutSeconds(240)).toBeLessThan(240 * 60 - ECS_ANSWER_GUARD_SECONDS);
    expect(ecsNativeExecutionTimeoutSeconds(240)).toBeGreaterThan(240 * 60 - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS);
    const standardId = idOf(stack, evaluator.stateMachine);
    const extendedId = idOf(stack, evaluator.extendedEvaluation!.stateMachine);
    expect(timeoutOf(resources[standardId])).toBe(DEFAULT_EVALUATION_TIMEOUT_SECONDS);
    // One reaper rule naming both machines.
    const rule = resources[idOf(stack, evaluator.reaperRule)].Properties!.EventPattern as { detail: { stateMachineArn: unknown[] } };
    expect(rule.detail.stateMachineArn).toEqual([{ Ref: standardId }, { Ref: extendedId }]);
    // One sweep per machine (a sweep lists one machine's executions).
    const sweepInputs = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule').map((r) => JSON.stringify((r.Properties!.Target as { Input: unknown }).Input));
    expect(sweepInputs).toHaveLength(2);
    expect(sweepInputs.some((input) => input.includes(standardId))).toBe(true);
    expect(sweepInputs.some((input) => input.includes(extendedId))).toBe(true);
    // The reaper lists and describes both machines' executions.
    const reaper = (resources[idOf(stack, evaluator.reaperPolicy)].Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(reaper.find((s) => s.Action === 'states:ListExecutions')!.Resource).toEqual([{ Ref: standardId }, { Ref: extendedId }]);
    expect(JSON.stringify(reaper.find((s) => JSON.stringify(s.Action).includes('DescribeExecution'))!.Resource)).toContain(`${extendedId}`);
    // A failed-evaluations alarm on the extended machine, on the dashboard with the others.
    const alarm = resources[idOf(stack, evaluator.extendedEvaluation!.failedEvaluationsAlarm)];
    expect(JSON.stringify(alarm.Properties!.Metrics)).toContain(extendedId);
    expect(JSON.stringify(resources[idOf(stack, evaluator.dashboard!.dashboard as never)].Properties!.DashboardBody)).toContain(extendedId);
  });

  test('a policy that needs it starts the extended machine, and its hook may start that machine only; a short one stays on the standard machine', () => {
    const { stack, evaluator, web, targets } = setup({ ecsNativeMaxHookTimeout: Duration.minutes(240) });
    const long = evaluator.registerEcsService(web.service, { policy: twoHourBake, ...targets, hookTimeout: Duration.minutes(240) });
    const other = nativeEcsService(stack, 'Api');
    const short = evaluator.registerEcsService(other.service, { policy: shortBake, loadBalancer: other.loadBalancer, productionTargetGroup: other.productionTargetGroup, alternateTargetGroup: other.alternateTargetGroup, hookTimeout: Duration.minutes(240) });
    const standardId = idOf(stack, evaluator.stateMachine);
    const extendedId = idOf(stack, evaluator.extendedEvaluation!.stateMachine);
    const resources = resourcesOf(stack);
    const environmentOf = (hook: unknown) => (resources[idOf(stack, hook as never)].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environmentOf(long.hookFunction)[ECS_HOOK_ENVIRONMENT.stateMachineArn]).toEqual({ Ref: extendedId });
    expect(environmentOf(short.hookFunction)[ECS_HOOK_ENVIRONMENT.stateMachineArn]).toEqual({ Ref: standardId });
    const startOf = (hook: { role?: unknown }) => hookStatements(stack, hook).filter((s) => s.Action === 'states:StartExecution').map((s) => s.Resource);
    expect(startOf(long.hookFunction)).toEqual([{ Ref: extendedId }]);
    expect(startOf(short.hookFunction)).toEqual([{ Ref: standardId }]);
    expect(long.stateMachineArn).toBe(evaluator.extendedEvaluation!.stateMachine.stateMachineArn);
    expect(long.policy.bake.duration).toBe(7200);
    expect(long.hookTimeout).toEqual({ timeoutInMinutes: 240, action: 'ROLLBACK' });
  });

  test('with a customer managed key: the extended machine is encrypted, its executions are readable by the reaper and startable by its hooks only', () => {
    const stack = new Stack(noBundlingApp(), 'LongKey', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), ecsNativeMaxHookTimeout: Duration.minutes(180) });
    const web = nativeEcsService(stack, 'Web');
    const long = evaluator.registerEcsService(web.service, { policy: twoHourBake, loadBalancer: web.loadBalancer, productionTargetGroup: web.productionTargetGroup, alternateTargetGroup: web.alternateTargetGroup, hookTimeout: Duration.minutes(180) });
    const resources = resourcesOf(stack);
    const extended = resources[idOf(stack, evaluator.extendedEvaluation!.stateMachine)].Properties!;
    expect(extended.EncryptionConfiguration).toMatchObject({ Type: 'CUSTOMER_MANAGED_KMS_KEY' });
    const name = extended.StateMachineName as string;
    expect(name).toMatch(/EcsNativeExtended/);
    const kmsStatements = hookStatements(stack, long.hookFunction).filter((s) => JSON.stringify(s.Action).includes('kms:GenerateDataKey'));
    expect(JSON.stringify(kmsStatements)).toContain(name);
    const reportStatements = hookStatements(stack, evaluator.reportFunction);
    expect(reportStatements.some((s) => JSON.stringify(s).includes('kms:Decrypt') && JSON.stringify(s).includes(name))).toBe(true);
  });

  test('errors name what to change: the prop out of range, a hook timeout above it, a CodeDeploy group with a two-hour bake', () => {
    expect(() => setup({ ecsNativeMaxHookTimeout: Duration.minutes(30) })).toThrow(/ecsNativeMaxHookTimeout is 30 minutes; expected whole minutes from 60 to 1440/);
    expect(() => setup({ ecsNativeMaxHookTimeout: Duration.minutes(1441) })).toThrow(/ecsNativeMaxHookTimeout is .*expected whole minutes from 60 to 1440/);
    expect(() => setup({ ecsNativeMaxHookTimeout: Duration.seconds(3630) })).toThrow(/ecsNativeMaxHookTimeout/);
    const { evaluator, web, targets } = setup({ ecsNativeMaxHookTimeout: Duration.minutes(120) });
    expect(() => evaluator.registerEcsService(web.service, { policy: twoHourBake, ...targets, hookTimeout: Duration.minutes(240) })).toThrow(
      /hookTimeout is 240 minutes, longer than the evaluator's ecsNativeMaxHookTimeout \(120 minutes\).*Raise ecsNativeMaxHookTimeout to at least 240 minutes/,
    );
    // A shorter hook than the extended machine is set for: refused (its guard would answer while a hung evaluation runs on).
    const shorter = setup({ ecsNativeMaxHookTimeout: Duration.minutes(300) });
    expect(() => shorter.evaluator.registerEcsService(shorter.web.service, { policy: twoHourBake, ...shorter.targets, hookTimeout: Duration.minutes(240) })).toThrow(
      /hookTimeout is 240 minutes, shorter than the evaluator's ecsNativeMaxHookTimeout \(300 minutes\).*Set hookTimeout: Duration\.minutes\(300\)/,
    );
    // A bake the hook's own deadline cannot hold: fitted to that deadline, not to CodeDeploy's hour.
    const other = setup({ ecsNativeMaxHookTimeout: Duration.minutes(120) });
    expect(() => other.evaluator.registerEcsService(other.web.service, { policy: twoHourBake, ...other.targets, hookTimeout: Duration.minutes(120) })).toThrow(
      /bake\.duration: 120 min \(7200 s\) does not fit the hook's deadline \(/,
    );
  });

  test('a CodeDeploy registration on an evaluator with the prop still fits the hour', () => {
    const { stack, evaluator } = setup({ ecsNativeMaxHookTimeout: Duration.minutes(240) });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(stack, 'FnGroup', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
    expect(() => evaluator.registerLambdaDeploymentGroup(group, { policy: lambdaTwoHourBake })).toThrow(/bake\.duration: 120 min \(7200 s\) does not fit the hook's hour/);
  });

  test('the fitted deadline is the plan\'s: reportBy less the lag holds the bake', () => {
    const limits = ecsNativeDeploymentLimits(240);
    expect(limits.judgingBudgetSeconds).toBe(240 * 60 - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS);
    expect(limits.evaluationTimeoutSeconds).toBe(ecsNativeExecutionTimeoutSeconds(240));
  });

  test('published attributes: the extended machine ARN, for fromEvaluatorName with the same ecsNativeMaxHookTimeout', () => {
    const { stack, evaluator } = setup({ ecsNativeMaxHookTimeout: Duration.minutes(240), evaluatorName: 'shared' });
    const consumer = new Stack(stack.node.root as never, 'Team', { env: ENV });
    const imported = CanaryEvaluator.fromEvaluatorName(consumer, 'Shared', 'shared', { ecsNativeMaxHookTimeout: Duration.minutes(240) });
    const web = nativeEcsService(consumer, 'Web');
    const registered = imported.registerEcsService(web.service, { policy: twoHourBake, loadBalancer: web.loadBalancer, productionTargetGroup: web.productionTargetGroup, alternateTargetGroup: web.alternateTargetGroup, hookTimeout: Duration.minutes(240) });
    const parameters = Object.values(resourcesOf(stack)).filter((r) => r.Type === 'AWS::SSM::Parameter').map((r) => r.Properties!);
    const extended = parameters.find((p) => p.Name === '/canary-evaluator/shared/ecs-native-extended-state-machine-arn');
    expect(extended?.Value).toEqual({ Ref: idOf(stack, evaluator.extendedEvaluation!.stateMachine) });
    // The team's hook starts the machine the parameter names.
    const teamParameters = Template.fromStack(consumer).toJSON().Parameters as Record<string, { Default?: string }>;
    const parameterId = Object.entries(teamParameters).find(([, p]) => p.Default === '/canary-evaluator/shared/ecs-native-extended-state-machine-arn')![0];
    expect(hookStatements(consumer, registered.hookFunction).filter((s) => s.Action === 'states:StartExecution').map((s) => s.Resource)).toEqual([{ Ref: parameterId }]);
    expect(registered.policy.bake.duration).toBe(7200);
    // Without the prop, no such parameter.
    const plain = setup({ evaluatorName: 'plain' });
    expect(Object.values(resourcesOf(plain.stack)).filter((r) => r.Type === 'AWS::SSM::Parameter').map((r) => r.Properties!.Name)).not.toContain('/canary-evaluator/plain/ecs-native-extended-state-machine-arn');
    // Half the pair is refused, naming both.
    const halfImport = () => CanaryEvaluator.fromEvaluatorAttributes(new Stack(noBundlingApp(), 'Team2', { env: ENV }), 'Shared', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:E', hookDeadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', registrationTag: 't', ecsNativeExtendedStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:X' });
    expect(halfImport).toThrow(/give ecsNativeExtendedStateMachineArn and ecsNativeMaxHookTimeout together/);
  });
});
