// A strict TypeScript consumer of the packed package (tsconfig.json beside it: strict,
// noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck false): it names the types a user
// names and calls the package root's functions; the construct is exercised in types only, because
// aws-cdk-lib's own declarations do not compile under exactOptionalPropertyTypes (its errors are
// counted and ignored by scripts/test-package.sh, any other fails the test).
import type { Stack } from 'aws-cdk-lib';
import {
  CanaryEvaluator,
  ECS_LIFECYCLE_EVENTS,
  judge,
  mannWhitney,
  parsePolicy,
  PolicyError,
  type CanaryEvaluatorProps,
  type EcsDeploymentGroupRegistration,
  type LambdaDeploymentGroupRegistration,
  type Observations,
  type Policy,
  type PolicyInput,
  type RegisteredLambdaDeploymentGroup,
  type Verdict,
} from 'canary-evaluator';

const input: PolicyInput = { metrics: [{ preset: 'lambda-error-rate' }] };
const policy: Policy = parsePolicy(input);
const observations: Observations = {
  'lambda-error-rate': { kind: 'count', baseline: [{ t: 0, count: 10, total: 1000 }], canary: [{ t: 0, count: 1, total: 100 }] },
};
const verdict: Verdict = judge(policy, observations);
const w: number = mannWhitney([1, 2, 3], [4, 5, 6], { alternative: 'two.sided', confidenceLevel: 0.95 }).w;
const props: CanaryEvaluatorProps = {};
const registration: Pick<LambdaDeploymentGroupRegistration, 'policy'> = { policy: 'policies/payments.yaml' };
const ecsEvents: ReadonlyArray<(typeof ECS_LIFECYCLE_EVENTS)[number]> = ECS_LIFECYCLE_EVENTS;
type EcsTargetGroups = Pick<EcsDeploymentGroupRegistration, 'blueTargetGroup' | 'greenTargetGroup'>;
const hooksOf = (registered: RegisteredLambdaDeploymentGroup): string[] => [registered.preHook.node.id, registered.postHook.node.id];

let rejected = '';
try {
  parsePolicy({ metrics: [{ preset: 'lambda-slow-requests', thresholdMs: 'fast' }] } as unknown as PolicyInput);
} catch (error) {
  if (error instanceof PolicyError) rejected = error.message;
}

const register = (evaluator: CanaryEvaluator, group: Parameters<CanaryEvaluator['registerLambdaDeploymentGroup']>[0]): RegisteredLambdaDeploymentGroup =>
  evaluator.registerLambdaDeploymentGroup(group, { policy: input, addVerdictAlarm: true });
const create = (stack: Stack): CanaryEvaluator => new CanaryEvaluator(stack, 'CanaryEvaluator', props);
if (!rejected || !['pass', 'fail', 'continue'].includes(verdict.decision) || Number.isNaN(w)) {
  throw new Error(`strict consumer: rejected "${rejected}", decision ${verdict.decision}, w ${w}`);
}
const named = [registration, ecsEvents, hooksOf, register, create, undefined as EcsTargetGroups | undefined];
console.log(JSON.stringify({ decision: verdict.decision, rejected: rejected.split('\n')[0], named: named.length }));
