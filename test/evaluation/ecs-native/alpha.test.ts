import { ECS_MAX_PRODUCTION_STEPS, ecsNativeAlphaShare, judgedProductionSteps, parseProductionSteps, productionStepCount } from '../../../lib/evaluation/ecs-native/alpha';
import { ECS_LINEAR_LIMITS, productionStepWeights, type EcsDeploymentStrategy } from '../../../lib/evaluation/ecs-native/contract';
import { alphaShareFor, alphaShareOf } from '../../../lib/evaluation/steps';
import { parsePolicy } from '../../../lib/policy';
import { ecsEvaluationInput } from './evaluation-input';

/** The whole deployment's α spend under the rule: every step's share plus the bake's. */
function deploymentSpend(steps: number, bakeJudged: boolean): number {
  const stepShares = steps === 0 ? 0 : steps * ecsNativeAlphaShare('step', { bakeJudged, productionSteps: steps });
  return stepShares + (bakeJudged ? ecsNativeAlphaShare('bake', { bakeJudged, productionSteps: steps }) : 0);
}

describe('the false-alarm budget of an ECS native deployment', () => {
  test('the most steps ECS allows: LINEAR at its smallest step (3 %) has 34', () => {
    expect(ECS_MAX_PRODUCTION_STEPS).toBe(34);
    expect(productionStepWeights('LINEAR', ECS_LINEAR_LIMITS.stepPercent.min).slice(-2)).toEqual([99, 100]);
  });

  test('every strategy and step percent spends at most α over the whole deployment, with or without the bake', () => {
    const cases: Array<[EcsDeploymentStrategy, number | undefined]> = [
      ['BLUE_GREEN', undefined],
      ['CANARY', 10],
      ['CANARY', 100],
      ['LINEAR', 3],
      ['LINEAR', 3.3],
      ['LINEAR', 10],
      ['LINEAR', 33.3],
      ['LINEAR', 100],
    ];
    for (const [strategy, percent] of cases) {
      const steps = productionStepCount(strategy, percent);
      expect(steps).toBe(productionStepWeights(strategy, percent).length);
      for (const bakeJudged of [true, false]) expect(deploymentSpend(steps, bakeJudged)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  test('LINEAR 10 %: ten steps at α/20 each and the bake at α/2 (before: each of the eleven at α/2)', () => {
    expect(productionStepCount('LINEAR', 10)).toBe(10);
    expect(ecsNativeAlphaShare('step', { bakeJudged: true, productionSteps: 10 })).toBeCloseTo(0.05, 12);
    expect(ecsNativeAlphaShare('bake', { bakeJudged: true, productionSteps: 10 })).toBe(0.5);
    expect(deploymentSpend(10, true)).toBeCloseTo(1, 12);
  });

  test('a deployment with no judged step gives the bake all of α; steps without a bake share all of it', () => {
    expect(ecsNativeAlphaShare('bake', { bakeJudged: true, productionSteps: 0 })).toBe(1);
    expect(ecsNativeAlphaShare('step', { bakeJudged: false, productionSteps: 2 })).toBe(0.5);
  });

  test('an unknown step count is safe for every deployment: the most steps ECS allows, the bake half', () => {
    expect(productionStepCount('LINEAR', 'unknown')).toBe(ECS_MAX_PRODUCTION_STEPS);
    expect(productionStepCount('CANARY', 'unknown')).toBe(2);
    const unknownStep = ecsNativeAlphaShare('step', { bakeJudged: true });
    expect(unknownStep).toBeCloseTo(0.5 / ECS_MAX_PRODUCTION_STEPS, 12);
    expect(ecsNativeAlphaShare('bake', { bakeJudged: true })).toBe(0.5);
    // Any real deployment has at most ECS_MAX_PRODUCTION_STEPS steps, so at most half of α over them.
    expect(ECS_MAX_PRODUCTION_STEPS * unknownStep).toBeLessThanOrEqual(0.5 + 1e-12);
  });

  test('the count the registration passes: 0 without the PRODUCTION_TRAFFIC_SHIFT stage', () => {
    expect(judgedProductionSteps(['POST_PRODUCTION_TRAFFIC_SHIFT'], 'LINEAR', 10)).toBe(0);
    expect(judgedProductionSteps(['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'], 'LINEAR', 25)).toBe(4);
    expect(judgedProductionSteps(['PRODUCTION_TRAFFIC_SHIFT'], 'CANARY', undefined)).toBe(2);
  });

  test('bad counts are refused with the variable and what was expected', () => {
    expect(parseProductionSteps(undefined, 'PRODUCTION_STEPS')).toBeUndefined();
    expect(parseProductionSteps('10', 'PRODUCTION_STEPS')).toBe(10);
    expect(parseProductionSteps('0', 'PRODUCTION_STEPS')).toBe(0);
    for (const bad of ['', 'ten', '2.5', '-1', '35']) expect(() => parseProductionSteps(bad, 'PRODUCTION_STEPS')).toThrow(/PRODUCTION_STEPS: expected the number of production traffic-shift steps the hook judges, a whole number from 0 to 34/);
    expect(() => ecsNativeAlphaShare('step', { bakeJudged: true, productionSteps: 0 })).toThrow(/PRODUCTION_STEPS is stale/);
    expect(() => ecsNativeAlphaShare('step', { bakeJudged: true, productionSteps: 40 })).toThrow(/productionSteps: expected a whole number from 0 to 34, got 40/);
  });
});

describe('the share an evaluation passes to the judge', () => {
  const policy = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }] });
  const input = ecsEvaluationInput;

  test('CodeDeploy: the phase share, as before', () => {
    expect(alphaShareFor(input(), policy)).toBe(alphaShareOf(policy));
    expect(alphaShareOf(policy)).toBe(0.5);
  });

  test('ECS native: a step spends the watch half over the steps, the bake its half; unknown: the most steps', () => {
    expect(alphaShareFor(input({ role: 'step', productionSteps: 10 }), policy)).toBeCloseTo(0.05, 12);
    expect(alphaShareFor(input({ role: 'bake', productionWeight: 100, productionSteps: 10 }), policy)).toBe(0.5);
    expect(alphaShareFor(input({ role: 'bake', productionWeight: 100, productionSteps: 0 }), policy)).toBe(1);
    expect(alphaShareFor(input({ role: 'step' }), policy)).toBeCloseTo(0.5 / ECS_MAX_PRODUCTION_STEPS, 12);
    const noBake = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], bake: { enabled: false } });
    expect(alphaShareFor(input({ role: 'step', productionSteps: 2 }), noBake)).toBe(0.5);
  });
});
