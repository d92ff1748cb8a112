import type { Duration } from 'aws-cdk-lib';
import { ECS_HOOK_TIMEOUT, ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES, ecsNativeDeploymentLimits, type EcsHookTimeoutConfiguration } from '../../evaluation/ecs-native/contract';
import { checkPolicy, loadCheckedPolicyFile } from '../../evaluation/policy-check';
import { PolicyError, type Policy } from '../../policy';
import type { DeploymentLimits } from '../../policy/fit';
import { formatSeconds } from '../../policy/limits';
import { standardLimits, type EvaluatorBinding, type RegistrationOptions } from '../registration';

/*
 * The deadline an ECS native registration's policy is fitted to, and the state machine its evaluations run on
 * (issue 27 item 3, "no one-hour limit"). Contract: lib/evaluation/ecs-native/contract.ts.
 */

/** The evaluator's extended state machine, as a registration sees it (`CanaryEvaluatorProps.ecsNativeMaxHookTimeout`). */
export interface EcsNativeExtendedMachine {
  readonly stateMachineArn: string;
  /** With a customer managed key: the ARN the key's encryption context names. @default - no key */
  readonly executionArnForKms?: string;
  readonly maxHookTimeoutMinutes: number;
}

/** What the fit reads of the evaluator (`EcsNativeEvaluatorBinding`). */
type FitEvaluator = EvaluatorBinding & { readonly ecsNativeExtended?: EcsNativeExtendedMachine };

/** `hookTimeout` in whole minutes, checked against the evaluator's least and the Lambda hooks page's most. */
export function hookTimeoutMinutes(hookTimeout: Duration | undefined, where: string): number {
  const minutes = hookTimeout ? hookTimeout.toMinutes({ integral: false }) : ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES || minutes > ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes) {
    throw new Error(
      `${where}: hookTimeout is ${hookTimeout?.toHumanString()}; expected whole minutes from ${ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES} (the hour the evaluation's budget assumes) to ${ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes} (Amazon ECS Developer Guide, "Lambda hooks for Amazon ECS service deployments", timeout configuration)`,
    );
  }
  return minutes;
}

/** The hook's timeout configuration: the action is what the policy says of an evaluator error (a hook that never answered is one). */
export function hookTimeoutFor(policy: Policy, minutes: number): EcsHookTimeoutConfiguration {
  const action = policy.dryRun || policy.onEvaluatorError === 'pass' ? 'CONTINUE' : 'ROLLBACK';
  return { timeoutInMinutes: minutes, action };
}

/** Whether the policy passes every check against `limits` (a bad policy is reported by the registration's own check). */
function policyFits(policy: RegistrationOptions['policy'], limits: DeploymentLimits): boolean {
  try {
    if (typeof policy === 'string') loadCheckedPolicyFile(policy, limits);
    else checkPolicy(policy, 'policy', limits);
    return true;
  } catch (error) {
    if (error instanceof PolicyError) return false;
    throw error;
  }
}

/** Which state machine a registration's evaluations run on, and the deadline its policy is fitted to. */
export interface EcsNativeFit {
  /** @default - the evaluator's standard limits (`standardLimits`) */
  readonly limits?: DeploymentLimits;
  readonly machine: { readonly stateMachineArn: string; readonly executionArnForKms?: string };
}

/**
 * A policy that fits the evaluator's standard state machine runs there, fitted as a CodeDeploy policy is
 * (nothing changes for it). One whose bake or watch needs longer runs on the extended state machine, fitted to
 * this hook's own deadline (`ecsNativeDeploymentLimits`: `reportBy` is the hook's timeout less the answer
 * guard and the report reserve), when the evaluator has one and the hook timeout is within its
 * `ecsNativeMaxHookTimeout`; otherwise the error says which to change.
 */
export function fitToMachine(evaluator: FitEvaluator, options: RegistrationOptions, minutes: number, where: string): EcsNativeFit {
  const standard = standardLimits(evaluator);
  if (policyFits(options.policy, standard)) return { machine: evaluator };
  const long = { ...ecsNativeDeploymentLimits(minutes), smokeTimeoutSeconds: standard.smokeTimeoutSeconds };
  // Not a matter of time (the policy is wrong whatever the deadline): the registration's check names every error.
  if (!policyFits(options.policy, long)) return evaluator.ecsNativeExtended && minutes <= evaluator.ecsNativeExtended.maxHookTimeoutMinutes ? { limits: long, machine: evaluator.ecsNativeExtended } : { machine: evaluator };
  const extended = evaluator.ecsNativeExtended;
  if (!extended) {
    throw new Error(
      `policy of ${where} bakes or watches longer than the evaluator's evaluation timeout (${formatSeconds(standard.evaluationTimeoutSeconds!)}, under a CodeDeploy hook's hour) allows; it fits this service's ${minutes}-minute hook timeout. ` +
        `Set ecsNativeMaxHookTimeout: Duration.minutes(${minutes}) (or more) on the CanaryEvaluator, which adds a state machine for long ECS native evaluations, or shorten the bake or the canary watch.`,
    );
  }
  if (minutes > extended.maxHookTimeoutMinutes) {
    throw new Error(
      `${where}: hookTimeout is ${minutes} minutes, longer than the evaluator's ecsNativeMaxHookTimeout (${extended.maxHookTimeoutMinutes} minutes), and the policy needs the long evaluation it bounds. Raise ecsNativeMaxHookTimeout to at least ${minutes} minutes, or lower hookTimeout.`,
    );
  }
  // The extended machine's one timeout ends just before the answer guard of a hook of ecsNativeMaxHookTimeout. A
  // shorter hook's guard would answer while a hung evaluation still runs, and the verdict the reaper publishes when
  // it times out could contradict that answer (test/simulate/ecs-native-long-bake.test.ts, the known gap).
  if (minutes < extended.maxHookTimeoutMinutes) {
    throw new Error(
      `${where}: hookTimeout is ${minutes} minutes, shorter than the evaluator's ecsNativeMaxHookTimeout (${extended.maxHookTimeoutMinutes} minutes); a policy that needs the extended state machine must use that hook timeout, which the machine's timeout is set for. Set hookTimeout: Duration.minutes(${extended.maxHookTimeoutMinutes}).`,
    );
  }
  return { limits: long, machine: extended };
}
