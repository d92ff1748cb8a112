/**
 * Regression pin for speed work on the sequential judge: for a fixed set of seeded streams, the
 * decisions (period of each crossing, confidence-sequence ends, informative periods) and the
 * log-evidence of `sequentialRateTest`, and every metric's decision and reason from `judge`, as the
 * code computed them before it was optimised (sequential-pin.json). An optimisation must change
 * nothing but floating-point noise: decisions exactly, log e-values and the rate ratio to 1e-9
 * relative. Regenerate only for an intended change of the method:
 *   UPDATE_SEQUENTIAL_PIN=1 npx jest test/judge/sequential-pin.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge, sequentialRateTest, type CountPeriod, type RatePeriod, type RateTestResult } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { createRandom, simulateStream, type StreamSpec } from './simulate';

const PIN_FILE = join(__dirname, 'sequential-pin.json');
const UPDATE = process.env.UPDATE_SEQUENTIAL_PIN === '1';

type Stream = { baseline: CountPeriod[]; canary: CountPeriod[] };

interface Scenario {
  readonly name: string;
  readonly spec: StreamSpec;
  readonly tolerance: number;
  readonly alpha: number;
}

const scenarios: readonly Scenario[] = [
  { name: 'A/A 1k', spec: { periods: 120, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.01 }, tolerance: 1.5, alpha: 0.01 },
  { name: '×1.3 2k', spec: { periods: 60, requestsPerPeriod: 2000, canaryShare: () => 0.2, errorRate: 0.01, rateRatio: 1.3 }, tolerance: 1.5, alpha: 0.01 },
  { name: '×2 1k', spec: { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 2 }, tolerance: 1.5, alpha: 0.01 },
  { name: '×3 1k', spec: { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 3 }, tolerance: 1.5, alpha: 0.05 },
  { name: '×0.6 pass', spec: { periods: 90, requestsPerPeriod: 5000, canaryShare: () => 0.3, errorRate: 0.02, rateRatio: 0.6 }, tolerance: 1.2, alpha: 0.01 },
  { name: '×1.06 1e6', spec: { periods: 30, requestsPerPeriod: 1e6, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 1.06 }, tolerance: 1.03, alpha: 0.01 },
  { name: '×1.01 1e6 pass', spec: { periods: 30, requestsPerPeriod: 1e6, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 1.01 }, tolerance: 1.05, alpha: 0.01 },
  { name: 'share ramp', spec: { periods: 40, requestsPerPeriod: 2000, canaryShare: (i) => 0.05 + i * 0.02, errorRate: 0.01, rateRatio: 1.3 }, tolerance: 1.5, alpha: 0.01 },
  { name: 'bursts', spec: { periods: 60, requestsPerPeriod: 1000, canaryShare: () => 0.2, errorRate: 0.01, burstLogSd: 1 }, tolerance: 1.5, alpha: 0.01 },
  { name: 'sparse', spec: { periods: 120, requestsPerPeriod: 30, canaryShare: () => 0.5, errorRate: 0.05, rateRatio: 1.5 }, tolerance: 2, alpha: 0.001 },
  { name: 'high rate', spec: { periods: 50, requestsPerPeriod: 400, canaryShare: () => 0.25, errorRate: 0.3, rateRatio: 1.1 }, tolerance: 1.1, alpha: 0.05 },
];
const SEEDS = [1, 2, 3, 4];
/** Window lengths judged as well as the whole stream: block boundaries fall differently in each. */
const PREFIXES = [1, 3, 5, 13, 29, 64];

function ratePeriods(stream: Stream): RatePeriod[] {
  return stream.canary
    .map((c, i) => ({ t: c.t, canaryCount: c.count, canaryTotal: c.total, baselineCount: stream.baseline[i].count, baselineTotal: stream.baseline[i].total }))
    .filter((p) => p.canaryTotal > 0 && p.baselineTotal > 0);
}

/** Everything the result decides or reports, as JSON (undefined → null). */
function pinOf(result: RateTestResult): Record<string, unknown> {
  return {
    harmShownAt: result.harmShownAt ?? null,
    harmRuledOutAt: result.harmRuledOutAt ?? null,
    logEValue: result.logEValue,
    logEValuePass: result.logEValuePass,
    rateRatio: result.rateRatio ?? null,
    interval: result.interval,
    informativePeriods: result.informativePeriods,
  };
}

function compute(): Record<string, unknown> {
  const pins: Record<string, unknown> = {};
  for (const scenario of scenarios) {
    for (const seed of SEEDS) {
      const stream = simulateStream(createRandom(1000 * seed + scenario.name.length), scenario.spec);
      const periods = ratePeriods(stream);
      const options = { alpha: scenario.alpha, tolerance: scenario.tolerance };
      for (const length of [...PREFIXES.filter((n) => n < periods.length), periods.length]) {
        pins[`${scenario.name} seed ${seed} first ${length}`] = pinOf(sequentialRateTest(periods.slice(0, length), options));
      }
      // The whole judge on the same stream: Poisson, dispersion-weighted (the default), robust, guard and decrease variants.
      const policy = parsePolicy({
        alpha: scenario.alpha * 3,
        metrics: [
          { name: 'plain', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', tolerance: scenario.tolerance, dispersion: 'poisson' } },
          { name: 'robust', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', tolerance: scenario.tolerance, robust: true } },
          { name: 'decrease', kind: 'count', direction: 'decrease', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', tolerance: scenario.tolerance, dispersion: 'poisson' } },
          { preset: 'lambda-error-rate' },
        ],
      });
      const observations = Object.fromEntries(['plain', 'robust', 'decrease', 'lambda-error-rate'].map((name) => [name, { kind: 'count' as const, ...stream }]));
      const verdict = judge(policy, observations);
      pins[`${scenario.name} seed ${seed} judge`] = verdict.metrics.map((metric) => ({ decision: metric.decision, reason: metric.reason, evidence: metric.evidence ?? null }));
      // The default count method (weighted by the estimated dispersion) at the Poisson metrics' level.
      const weighted = parsePolicy({
        alpha: (scenario.alpha * 3) / 4,
        metrics: [{ name: 'weighted', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', tolerance: scenario.tolerance } }],
      });
      pins[`${scenario.name} seed ${seed} judge weighted`] = judge(weighted, { weighted: { kind: 'count', ...stream } }).metrics.map((metric) => ({ decision: metric.decision, reason: metric.reason, evidence: metric.evidence ?? null }));
    }
  }
  return pins;
}

/** Equal up to `relative` for numbers (decisions and strings exactly), recursively. */
function expectClose(actual: unknown, expected: unknown, path: string, relative: number): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const scale = Math.max(1, Math.abs(expected));
    if (!(Math.abs(actual - expected) <= relative * scale)) throw new Error(`${path}: ${actual} differs from the pinned ${expected} by more than ${relative} relative`);
    return;
  }
  if (Array.isArray(expected) || (typeof expected === 'object' && expected !== null)) {
    expect(typeof actual).toBe('object');
    const keys = new Set([...Object.keys(expected as object), ...Object.keys((actual ?? {}) as object)]);
    for (const key of keys) expectClose((actual as Record<string, unknown>)?.[key], (expected as Record<string, unknown>)[key], `${path}.${key}`, relative);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${JSON.stringify(actual)} differs from the pinned ${JSON.stringify(expected)}`);
}

describe('sequential judge: decisions and evidence pinned against the code before its speed work', () => {
  const actual = compute();
  if (UPDATE) writeFileSync(PIN_FILE, `${JSON.stringify(actual, null, 1)}\n`);
  const pinned = JSON.parse(readFileSync(PIN_FILE, 'utf8')) as Record<string, unknown>;

  test('the pin covers crossings of both tests, undecided streams and several tolerances', () => {
    const results = Object.values(pinned).filter((value): value is Record<string, unknown> => !Array.isArray(value));
    expect(results.some((result) => result.harmShownAt !== null)).toBe(true);
    expect(results.some((result) => result.harmRuledOutAt !== null)).toBe(true);
    expect(results.some((result) => result.harmShownAt === null && result.harmRuledOutAt === null)).toBe(true);
    expect(Object.keys(pinned).length).toBeGreaterThan(200);
  });

  test('every stream gives the pinned result', () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(pinned).sort());
    // Verdict evidence is rounded to 4 significant digits, so it compares exactly, like the reasons.
    for (const [key, value] of Object.entries(pinned)) expectClose(actual[key], value, key, 1e-9);
  });
});
