import { judge } from '../../judge';
import type { CountPeriod, Observations } from '../../judge/observations';
import type { Policy } from '../../policy';
import { Random } from '../random';

/**
 * The production steps of a healthy ECS native deployment at the judge alone (issue 27's α budget): each
 * step a fresh evaluation at its weight, one look per one-minute period for `looks` periods or until its
 * verdict is final, spending `alphaShareOf(weight)` of the policy's α; rolled back at the first step
 * that fails. Green = blue: `requestsPerMinute` Poisson, split by the step's weight, `errorRate` binomial
 * on each arm. Seconds per hundred deployments, where the full path (`simulateEcsNativeDeployment`,
 * hook, state machine, bake) takes minutes; the bake is not in it.
 */
export interface StepsAaWorld {
  readonly policy: Policy;
  /** The metric of the policy the counts are for (a `count` metric). */
  readonly metric: string;
  readonly weights: readonly number[];
  readonly alphaShareOf: (weight: number) => number;
  /** @default 3000 */
  readonly requestsPerMinute?: number;
  /** @default 0.01 */
  readonly errorRate?: number;
  /** Looks per step (the watch's maxDuration in periods). @default 30 */
  readonly looks?: number;
}

/** The weight of the step that failed the healthy deployment of `seed`, or undefined when none did. */
export function healthyStepsRolledBackAt(seed: number, world: StepsAaWorld): number | undefined {
  const random = Random.seeded(seed, 'ecs-native-steps-aa');
  const looks = world.looks ?? 30;
  const requestsPerMinute = world.requestsPerMinute ?? 3000;
  const errorRate = world.errorRate ?? 0.01;
  for (const weight of world.weights) {
    const canary: CountPeriod[] = [];
    const baseline: CountPeriod[] = [];
    for (let look = 1; look <= looks; look++) {
      const t = 1_800_000_000 + 60 * look;
      const requests = random.poisson(requestsPerMinute);
      const green = random.binomial(requests, weight / 100);
      // Periods without traffic are absent (lib/judge/observations.ts): at 100 % blue has none.
      if (green > 0) canary.push({ t, count: random.binomial(green, errorRate), total: green });
      if (requests - green > 0) baseline.push({ t, count: random.binomial(requests - green, errorRate), total: requests - green });
      const observations: Observations = { [world.metric]: { kind: 'count', canary, baseline } };
      const verdict = judge(world.policy, observations, { alphaShare: world.alphaShareOf(weight), deadlineReached: look === looks, periodSeconds: 60 });
      if (verdict.decision === 'fail') return weight;
      if (verdict.final) break;
    }
  }
  return undefined;
}
