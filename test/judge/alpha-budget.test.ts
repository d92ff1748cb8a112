import { judge } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { createRandom, simulateStream } from './simulate';

const policy = parsePolicy({
  alpha: 0.05,
  metrics: [
    { name: 'errors', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' } },
    { name: 'slow', kind: 'count', count: { namespace: 'A', metricName: 'S' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' } },
  ],
});
const observe = (random: ReturnType<typeof createRandom>) => {
  const spec = { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.02 };
  return { errors: { kind: 'count' as const, ...simulateStream(random, spec) }, slow: { kind: 'count' as const, ...simulateStream(random, spec) } };
};

describe('item 7: one false-alarm budget per deployment', () => {
  test('alphaShare scales every metric’s α and the bound, and the verdict says so', () => {
    const observations = observe(createRandom(1));
    const whole = judge(policy, observations);
    const half = judge(policy, observations, { alphaShare: 0.5 });
    expect(whole.alphaShare).toBeUndefined();
    expect(half.alphaShare).toBe(0.5);
    expect(half.falseAlarmBound).toBeCloseTo(whole.falseAlarmBound! / 2, 10);
    expect(half.metrics.map((m) => m.alpha)).toEqual(whole.metrics.map((m) => m.alpha! / 2));
    expect(() => judge(policy, observations, { alphaShare: 0 })).toThrow(/alphaShare must be in \(0, 1\], got 0/);
  });

  test('watch and bake at half the α each: A/A deployments fail at most α (3 SE) over both phases', () => {
    const runs = 500;
    const random = createRandom(77);
    let failed = 0;
    for (let run = 0; run < runs; run++) {
      const watch = judge(policy, observe(random), { alphaShare: 0.5 });
      const bake = judge(policy, observe(random), { alphaShare: 0.5 });
      if (watch.decision === 'fail' || bake.decision === 'fail') failed++;
    }
    expect(failed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  });
});
