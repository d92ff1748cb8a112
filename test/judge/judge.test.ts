import { judge, validateObservations, ObservationError, alphaOf, intervalBasisOf, type Observations } from '../../lib/judge';
import { parsePolicy, policyAsInput } from '../../lib/policy';

const count = (rows: Array<[number, number]>) => rows.map(([c, total], i) => ({ t: 1_767_225_600 + 60 * i, count: c, total }));
const gauge = (values: number[]) => values.map((value, i) => ({ t: 60 * i, value }));

function errorsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ObservationError) return error.issues;
    throw error;
  }
  throw new Error('expected an ObservationError');
}

describe('validateObservations', () => {
  const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate', name: 'errors' }] });
  test.each([
    ['count > total', { errors: { kind: 'count', baseline: [], canary: count([[1, 10], [1, 10], [1, 10], [12, 10]]) } }, 'observations["errors"].canary[3]: count 12 > total 10'],
    ['a negative count', { errors: { kind: 'count', baseline: count([[-1, 10]]), canary: [] } }, 'observations["errors"].baseline[0]: count -1 is negative'],
    ['NaN', { errors: { kind: 'count', baseline: [{ t: 0, count: NaN, total: 1 }], canary: [] } }, 'observations["errors"].baseline[0].count: expected a finite number, got NaN'],
    ['Infinity', { errors: { kind: 'count', baseline: [], canary: [{ t: 0, count: 1, total: Infinity }] } }, 'observations["errors"].canary[0].total: expected a finite number, got Infinity'],
    ['a duplicate t', { errors: { kind: 'count', baseline: [{ t: 0, count: 0, total: 1 }, { t: 0, count: 0, total: 1 }], canary: [] } }, 'observations["errors"].baseline[1]: duplicate t 0'],
    ['unsorted t', { errors: { kind: 'count', baseline: [], canary: [{ t: 60, count: 0, total: 1 }, { t: 0, count: 0, total: 1 }] } }, 'observations["errors"].canary[1]: t 0 is before the previous period\'s t 60'],
    ['a missing arm', { errors: { kind: 'count', baseline: [] } }, 'observations["errors"].canary: missing arm; use [] for an arm without data'],
    ['a missing metric', {}, 'observations["errors"]: missing; provide { kind: "count"'],
    ['the wrong kind', { errors: { kind: 'gauge', baseline: [], canary: [] } }, 'observations["errors"].kind: expected "count" for a count metric, got "gauge"'],
  ])('names the metric, arm and index for %s', (_case, observations, expected) => {
    expect(errorsOf(() => validateObservations(policy, observations)).some((issue) => issue.startsWith(expected))).toBe(true);
  });

  test("a gauge's baseline and canary histories are checked like arms, and named where they are wrong", () => {
    const gauges = parsePolicy({ metrics: [{ name: 'p99', kind: 'gauge', value: { namespace: 'A', metricName: 'L', stat: 'p99' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney' } }] });
    const history = [{ t: 0, value: 1 }, { t: 60, value: NaN }, { t: 30, value: 2 }];
    expect(errorsOf(() => validateObservations(gauges, { p99: { kind: 'gauge', baseline: [], canary: [], baselineHistory: history } }))).toEqual([
      'observations["p99"].baselineHistory[1].value: expected a finite number, got NaN',
      'observations["p99"].baselineHistory[2]: t 30 is before the previous period\'s t 60; sort periods by t',
    ]);
    expect(errorsOf(() => validateObservations(gauges, { p99: { kind: 'gauge', baseline: [], canary: [], baselineHistory: 'none' } }))).toEqual([
      'observations["p99"].baselineHistory: expected an array of periods, got "none"',
    ]);
    expect(errorsOf(() => validateObservations(gauges, { p99: { kind: 'gauge', baseline: [], canary: [], canaryHistory: history } }))).toEqual([
      'observations["p99"].canaryHistory[1].value: expected a finite number, got NaN',
      'observations["p99"].canaryHistory[2]: t 30 is before the previous period\'s t 60; sort periods by t',
    ]);
  });

  test('judge refuses invalid observations and accepts empty arms as nodata', () => {
    expect(() => judge(policy, { errors: { kind: 'count', baseline: [], canary: count([[5, 1]]) } })).toThrow(ObservationError);
    const verdict = judge(policy, { errors: { kind: 'count', baseline: [], canary: [] } });
    expect(verdict.metrics[0]).toMatchObject({ decision: 'nodata', reason: 'errors: no canary periods yet' });
  });
});

describe('aggregation', () => {
  test('splits the policy α equally over the testing metrics; an explicit α wins', () => {
    const policy = parsePolicy({
      alpha: 0.01,
      metrics: [
        { preset: 'lambda-error-rate' },
        { preset: 'lambda-throttle-rate', method: { type: 'sequential', alpha: 0.001 } },
        { preset: 'lambda-p99-duration' }, // a gauge's default method is Mann–Whitney: it takes a share
        { preset: 'lambda-p99-duration', name: 'p99-threshold', method: { type: 'threshold', maxRatioToBaseline: 2 } }, // threshold: no α
        { name: 'p99', kind: 'gauge', value: { namespace: 'A', metricName: 'B' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney' } },
      ],
    });
    expect(Object.fromEntries(alphaOf(policy))).toEqual({ 'lambda-error-rate': 0.01 / 4, 'lambda-throttle-rate': 0.001, 'lambda-p99-duration': 0.01 / 4, p99: 0.01 / 4 });
  });

  test('a failing non-critical metric does not fail the run; a critical one does', () => {
    const bad = { kind: 'count' as const, baseline: count(Array(10).fill([10, 10000])), canary: count(Array(10).fill([60, 1000])) };
    const good = { kind: 'count' as const, baseline: count(Array(10).fill([10, 10000])), canary: count(Array(10).fill([1, 1000])) };
    const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate', critical: false }, { preset: 'lambda-throttle-rate' }] });
    const observations: Observations = { 'lambda-error-rate': bad, 'lambda-throttle-rate': good };
    const verdict = judge(policy, observations);
    expect(verdict.metrics[0].decision).toBe('fail');
    expect(verdict.decision).not.toBe('fail');
    expect(judge(parsePolicy({ ...policyAsInput(policy), metrics: policy.metrics.map((m) => ({ ...m, critical: true })) }), observations)).toMatchObject({ decision: 'fail', final: true });
    expect(verdict.falseAlarmBound).toBeCloseTo(0.005, 12);
  });

  test('explains a regression in one line with counts and interval', () => {
    const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate', name: 'errors' }] });
    const verdict = judge(policy, {
      errors: { kind: 'count', baseline: count(Array(10).fill([12, 1180])), canary: count(Array(10).fill([4, 130])) },
    });
    const result = verdict.metrics[0];
    expect(result.decision).toBe('fail');
    // A fail reports its harm test's interval: one-sided, above the harm boundary (×1).
    expect(result.reason).toMatch(/^errors ×3.03 \[[\d.]+, ∞\) — 40\/1300 canary vs 120\/11.8k baseline; harm shown after \d+ periods/);
    expect(intervalBasisOf(result)).toBe('harm-test');
    expect(result.interval).toEqual([expect.any(Number), null]);
    expect(result.interval![0]!).toBeGreaterThan(1);
  });

  test('a harmful decrease is judged the other way round', () => {
    const policy = parsePolicy({
      metrics: [{ name: 'orders', kind: 'count', direction: 'decrease', count: { namespace: 'A', metricName: 'Orders' }, total: { namespace: 'A', metricName: 'Sessions' }, versioning: { type: 'lambda-alias' } }],
    });
    const verdict = judge(policy, { orders: { kind: 'count', baseline: count(Array(10).fill([300, 1000])), canary: count(Array(10).fill([100, 1000])) } });
    expect(verdict.decision).toBe('fail');
    expect(verdict.metrics[0].effect).toBe(0.3333);
  });

  test('zero vs zero events continues, then the deadline applies onTimeout', () => {
    const policy = parsePolicy({ onTimeout: 'fail', metrics: [{ preset: 'lambda-error-rate' }] });
    const observations = { 'lambda-error-rate': { kind: 'count' as const, baseline: count([[0, 1000]]), canary: count([[0, 100]]) } };
    expect(judge(policy, observations).metrics[0]).toMatchObject({ decision: 'continue', reason: expect.stringContaining('no events in either arm yet') });
    expect(judge(policy, observations, { deadlineReached: true }).decision).toBe('fail');
  });
});

describe('verdict JSON', () => {
  test('a 20-metric verdict serialises to < 8 KB with no NaN or Infinity, 0 vs 307 included', () => {
    const metrics = Array.from({ length: 20 }, (_, i) => ({
      name: `errors-${i}`,
      kind: 'count',
      count: { namespace: 'App', metricName: `Errors${i}` },
      total: { namespace: 'App', metricName: 'Requests' },
      versioning: { type: 'dimension', dimension: 'Version' },
    }));
    const policy = parsePolicy({ metrics });
    const observations: Observations = Object.fromEntries(
      metrics.map((metric, i) => [
        metric.name,
        i === 0
          ? { kind: 'count', baseline: count([[0, 11800]]), canary: count([[307, 1300]]) }
          : { kind: 'count', baseline: count(Array(30).fill([i, 5000])), canary: count(Array(30).fill([i % 3, 500])) },
      ]),
    );
    const verdict = judge(policy, observations, { deadlineReached: true });
    const json = JSON.stringify(verdict);
    expect(json.length).toBeLessThan(8 * 1024);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(json)).toEqual(verdict);
    // One period cannot tell a canary whose rate wanders from a regression: the default (dispersion
    // weighted) test stays undecided, so the deadline makes it inconclusive; Poisson counts fail it.
    expect(verdict.metrics[0]).toMatchObject({ decision: 'inconclusive', interval: [expect.any(Number), null] });
    expect(verdict.metrics[0].reason).toContain('307/1300 canary vs 0/11.8k baseline');
  });
});

describe('mann-whitney method (gauges)', () => {
  const policy = parsePolicy({
    alpha: 0.01,
    metrics: [{ name: 'p99', kind: 'gauge', value: { namespace: 'A', metricName: 'Duration', stat: 'p99' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney', minSamples: 10, tolerance: 0.1 } }],
  });
  const base = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99, 500, 500];

  test('continues below minSamples, nodata without samples', () => {
    expect(judge(policy, { p99: { kind: 'gauge', baseline: gauge(base.slice(0, 5)), canary: gauge(base.slice(0, 5)) } }).metrics[0].decision).toBe('continue');
    expect(judge(policy, { p99: { kind: 'gauge', baseline: gauge(base), canary: [] } }).metrics[0].decision).toBe('nodata');
  });

  test('fails a shift beyond tolerance relative to the baseline level, passes a small one, ignores data past the horizon', () => {
    const worse = base.map((v) => v * 1.5);
    expect(judge(policy, { p99: { kind: 'gauge', baseline: gauge(base), canary: gauge(worse) } }).metrics[0]).toMatchObject({ decision: 'fail', effect: expect.any(Number) });
    const same = base.map((v) => v + 1);
    // Periods 11-12 (500 ms) are past the horizon of 10 and are not judged.
    expect(judge(policy, { p99: { kind: 'gauge', baseline: gauge(base.slice(0, 10)), canary: gauge(same) } }).metrics[0].decision).toBe('pass');
  });

  test('the policy refuses Mann–Whitney on a count metric', () => {
    expect(() => parsePolicy({ metrics: [{ preset: 'lambda-error-rate', method: { type: 'mann-whitney' } }] })).toThrow(
      'metrics[0].method.type: method "mann-whitney" cannot judge a count metric; use "sequential" or "threshold"',
    );
  });
});

describe('alarm-gate', () => {
  const policy = parsePolicy({ metrics: [{ name: 'alarms', kind: 'alarm', alarmNames: ['HighErrors', 'HighLatency'] }] });
  test.each([
    [[{ name: 'HighErrors', state: 'OK' }, { name: 'HighLatency', state: 'ALARM' }], 'fail', 'alarms: alarm HighLatency in ALARM'],
    [[{ name: 'HighErrors', state: 'OK' }, { name: 'HighLatency', state: 'OK' }], 'continue', 'alarms: 2 alarm(s) OK'],
    [[{ name: 'HighErrors', state: 'INSUFFICIENT_DATA' }], 'nodata', 'alarms: no OK state seen yet for HighErrors, HighLatency'],
  ] as const)('%j → %s', (alarms, decision, reason) => {
    expect(judge(policy, { alarms: { kind: 'alarm', alarms } }).metrics[0]).toMatchObject({ decision, reason });
  });
});

describe('cost method', () => {
  const policy = parsePolicy({
    alpha: 0.01,
    metrics: [
      {
        name: 'chat-cost',
        kind: 'cost',
        model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        requests: { namespace: 'App', metricName: 'Requests' },
        tokens: { input: { namespace: 'App', metricName: 'InputTokens' }, output: { namespace: 'App', metricName: 'OutputTokens' } },
        versioning: { type: 'dimension', dimension: 'Version' },
      },
    ],
  });
  const periods = (outputPerRequest: number, noise: number[]) =>
    noise.map((n, i) => ({ t: 60 * i, requests: 100, input: 100 * 500, output: Math.round(100 * outputPerRequest * (1 + n)) }));
  const noise = Array.from({ length: 30 }, (_, i) => 0.05 * Math.sin(i * 1.7));

  test('fails a release that doubles output tokens per request; passes an unchanged one', () => {
    const doubled = judge(policy, { 'chat-cost': { kind: 'tokens', baseline: periods(200, noise), canary: periods(400, noise.map((n) => -n)) } });
    expect(doubled.metrics[0]).toMatchObject({ decision: 'fail', method: 'cost' });
    expect(doubled.metrics[0].effect!).toBeGreaterThan(1.5);
    const same = judge(policy, { 'chat-cost': { kind: 'tokens', baseline: periods(200, noise), canary: periods(200, noise.map((n) => -n)) } });
    expect(same.metrics[0].decision).toBe('pass');
  });

  test('an unknown model is refused by the policy, naming the path', () => {
    const { name, kind, requests, tokens, versioning } = policy.metrics[0] as Extract<(typeof policy.metrics)[0], { kind: 'cost' }>;
    expect(() => parsePolicy({ metrics: [{ name, kind, requests, tokens, versioning, model: 'nope' }] })).toThrow(/metrics\[0\]\.model: model "nope" is not in the price catalog/);
  });
});

describe('policy for the judge', () => {
  test('count metrics default to sequential; new kinds normalise and re-parse to themselves', () => {
    const policy = parsePolicy({
      metrics: [
        { preset: 'lambda-error-rate' },
        { name: 'alarms', kind: 'alarm', alarmNames: ['X'] },
        { name: 'cost', kind: 'cost', model: 'amazon.nova-pro-v1:0', requests: { namespace: 'A', metricName: 'R' }, tokens: { input: { namespace: 'A', metricName: 'I' }, output: { namespace: 'A', metricName: 'O' } }, versioning: { type: 'lambda-alias' } },
      ],
    });
    expect(policy.alpha).toBe(0.01);
    expect(policy.metrics.map((metric) => metric.method.type)).toEqual(['sequential', 'alarm-gate', 'cost']);
    expect(parsePolicy(policyAsInput(JSON.parse(JSON.stringify(policy))))).toEqual(policy);
  });
});
