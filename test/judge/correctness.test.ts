import fc from 'fast-check';
import { E_CAP, judge, mannWhitney, minimumSamplesFor, smallestOneSidedPValue, type Alternative, type CountPeriod } from '../../lib/judge';
import { parsePolicy, policyAsInput } from '../../lib/policy';

const errorPolicy = (alpha = 0.01) => parsePolicy({ alpha, metrics: [{ preset: 'lambda-error-rate' }] });
const countObservations = (baseline: CountPeriod[], canary: CountPeriod[]) => ({ 'lambda-error-rate': { kind: 'count' as const, baseline, canary } });

/** True when every number reachable in `value` is finite (JSON would write NaN/Infinity as null). */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

describe('item 8: correctness', () => {
  test('overwhelming evidence (log E far past 709) stays finite and is reported as log-evidence', () => {
    const periods = 60;
    const canary = Array.from({ length: periods }, (_, i) => ({ t: 60 * i, count: 500, total: 1000 }));
    const baseline = Array.from({ length: periods }, (_, i) => ({ t: 60 * i, count: 5, total: 9000 }));
    // Poisson counts (`dispersion: poisson`): the default weighs each period by the dispersion it cannot
    // yet rule out, so its log E stays far lower on the same data.
    const poisson = parsePolicy({ alpha: 0.01, metrics: [{ preset: 'lambda-error-rate', method: { type: 'sequential', dispersion: 'poisson' } }] });
    const verdict = judge(poisson, countObservations(baseline, canary));
    const metric = verdict.metrics[0];
    expect(metric.decision).toBe('fail');
    expect(metric.evidence!.logEValue!).toBeGreaterThan(709);
    expect(metric.evidence!.eValue).toBeLessThanOrEqual(E_CAP);
    expect(allFinite(verdict)).toBe(true);
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
  });

  test('mannWhitney rejects an alternative it does not know, naming it', () => {
    expect(() => mannWhitney([1, 2, 3], [4, 5, 6], { alternative: 'two-sided' as Alternative })).toThrow(
      /alternative must be one of "two.sided", "greater", "less", got "two-sided"/,
    );
    expect(() => mannWhitney([1, 2, 3], [4, 5, 6], { alternative: 'greater' })).not.toThrow();
  });

  test('0 vs 0 events reports no effect and no interval, not ×(traffic ratio)', () => {
    const canary = Array.from({ length: 10 }, (_, i) => ({ t: 60 * i, count: 0, total: 100 }));
    const baseline = Array.from({ length: 10 }, (_, i) => ({ t: 60 * i, count: 0, total: 900 }));
    const metric = judge(errorPolicy(), countObservations(baseline, canary)).metrics[0];
    expect(metric.decision).toBe('continue');
    expect(metric.effect).toBeUndefined();
    expect(metric.interval).toBeUndefined();
    expect(metric.reason).toMatch(/no events in either arm yet/);
    // One event anywhere gives a (finite) estimate again.
    const one = judge(errorPolicy(), countObservations(baseline, [{ ...canary[0], count: 1 }, ...canary.slice(1)])).metrics[0];
    expect(Number.isFinite(one.effect)).toBe(true);
  });

  test('minimumSamplesFor is the first n whose best p-value reaches α', () => {
    for (const alpha of [0.05, 0.01, 0.001, 1e-4]) {
      const n = minimumSamplesFor(alpha);
      expect(smallestOneSidedPValue(n)).toBeLessThanOrEqual(alpha);
      expect(smallestOneSidedPValue(n - 1)).toBeGreaterThan(alpha);
    }
  });

  test('a Mann–Whitney horizon too short to ever reach α is raised, with a warning', () => {
    const policy = parsePolicy({
      alpha: 0.001,
      metrics: [{ name: 'p99', kind: 'gauge', value: { namespace: 'A', metricName: 'L', stat: 'p99' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney', minSamples: 3, autocorrelation: 'ignore' } }],
    });
    // The plain test: the gauges below trend, which `adjust` would (rightly) read as autocorrelation.
    const needed = minimumSamplesFor(0.001);
    expect(needed).toBeGreaterThan(3);
    const gauge = (n: number, level: number) => Array.from({ length: n }, (_, i) => ({ t: 60 * i, value: level + i }));
    const early = judge(policy, { p99: { kind: 'gauge', baseline: gauge(3, 100), canary: gauge(3, 500) } }).metrics[0];
    expect(early.decision).toBe('continue');
    expect(early.warnings).toEqual([expect.stringMatching(/minSamples 3 can never reach α = 0\.001 .*runs at \d+ samples/)]);
    const late = judge(policy, { p99: { kind: 'gauge', baseline: gauge(needed, 100), canary: gauge(needed, 500) } }).metrics[0];
    expect(late.decision).toBe('fail');
    // A sufficient minSamples has no warning.
    const fine = parsePolicy({ ...policyAsInput(policy), alpha: 0.05 });
    expect(judge(fine, { p99: { kind: 'gauge', baseline: gauge(10, 100), canary: gauge(10, 100) } }).metrics[0].warnings).toBeUndefined();
  });
});

describe('properties: verdicts are finite and survive a JSON round trip', () => {
  const period = fc.tuple(fc.nat(3000), fc.nat(3000), fc.nat(20_000), fc.nat(20_000));
  test('for arbitrary count streams, including empty periods and extreme counts', () => {
    fc.assert(
      fc.property(fc.array(period, { maxLength: 40 }), fc.boolean(), (rows, deadline) => {
        const canary = rows.map(([c, ct], i) => ({ t: 60 * i, count: Math.min(c, ct), total: ct }));
        const baseline = rows.map(([, , b, bt], i) => ({ t: 60 * i, count: Math.min(b, bt), total: bt }));
        const verdict = judge(errorPolicy(), countObservations(baseline, canary), { deadlineReached: deadline });
        expect(allFinite(verdict)).toBe(true);
        expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });
});
