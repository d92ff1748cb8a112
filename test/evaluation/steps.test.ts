import { BAKE_HISTORY_PERIODS } from '../../lib/evaluation/observations';
import { alphaShareOf, baselineHistorySeconds, buildQueries, isExpressionQuery, evaluateTick, joinSeries, judgeWindow, lookAtBake, planEvaluation, toObservations, waitSeconds, MetricsThrottledError, type EvaluationInput, type MetricQuery, type MetricSource } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

const target = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const input: EvaluationInput = {
  deploymentId: 'd-A1B2C3D4E',
  lifecycleEventHookExecutionId: 'hook-1',
  lifecycleEvent: 'AfterAllowTraffic',
  applicationName: 'app',
  deploymentGroupName: 'group',
  target,
  policyRef: { bucket: 'b', key: 'k' },
  hookInvokedAt: '2026-11-26T10:00:30.000Z',
};
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  bake: { duration: '5m', period: '60s' },
  metricLag: '2m',
});
const T0 = Date.parse('2026-11-26T10:00:00Z') / 1000;

describe('buildQueries', () => {
  test('selects each version through the alias with ExecutedVersion', () => {
    const { queries, roles } = buildQueries(policy, target, 60);
    expect(queries).toHaveLength(4);
    expect(queries[0]).toEqual({
      id: 'm0_canary_count',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      stat: 'Sum',
      period: 60,
      dimensions: { FunctionName: 'orders', Resource: 'orders:live', ExecutedVersion: '2' },
    });
    expect(queries.find((q) => q.id === 'm0_baseline_total')).toMatchObject({ dimensions: { ExecutedVersion: '1' } });
    expect(roles.get('m0_baseline_total')).toEqual([{ metric: 'lambda-error-rate', arm: 'baseline', role: 'total' }]);
    for (const query of queries) expect(query.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  test('requests a statistic shared by several metrics once (GetMetricData bills per metric requested)', () => {
    const shared = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }, { preset: 'lambda-throttle-rate' }] });
    const { queries, roles } = buildQueries(shared, target, 60);
    expect(queries).toHaveLength(6); // Errors, Throttles and one Invocations per arm
    expect(roles.get('m0_canary_total')).toEqual([
      { metric: 'lambda-error-rate', arm: 'canary', role: 'total' },
      { metric: 'lambda-throttle-rate', arm: 'canary', role: 'total' },
    ]);
    const observations = toObservations(
      shared,
      { queries, roles },
      queries.map((query) => ({ id: query.id, timestamps: [T0], values: ['metricName' in query && query.metricName === 'Invocations' ? 100 : 1] })),
      { start: T0, end: T0 + 60 },
    );
    // Throttled requests are not in Invocations: the throttle rate's denominator is Invocations + Throttles.
    expect(observations['lambda-throttle-rate']).toMatchObject({ canary: [{ t: T0, count: 1, total: 101 }] });
    expect(observations['lambda-error-rate']).toMatchObject({ baseline: [{ t: T0, count: 1, total: 100 }] });
  });

  test('lambda-throttle-rate: more throttles than invocations, or only throttles, is a rate ≤ 1, not an evaluator error', () => {
    const throttles = parsePolicy({ metrics: [{ preset: 'lambda-throttle-rate' }] });
    const plan = buildQueries(throttles, target, 60);
    const series = (metricName: string, values: number[]) =>
      plan.queries
        .filter((q) => 'metricName' in q && q.metricName === metricName)
        .map((q) => ({ id: q.id, timestamps: values.map((_, i) => T0 + 60 * i), values }));
    const observations = toObservations(throttles, plan, [...series('Invocations', [10]), ...series('Throttles', [40, 5])], { start: T0, end: T0 + 120 });
    expect(observations['lambda-throttle-rate']).toEqual({
      kind: 'count',
      canary: [
        { t: T0, count: 40, total: 50 },
        { t: T0 + 60, count: 5, total: 5 },
      ],
      baseline: [
        { t: T0, count: 40, total: 50 },
        { t: T0 + 60, count: 5, total: 5 },
      ],
    });
  });

  test('fills a metric-math expression per arm, for what presets and MetricStat cannot say', () => {
    const math = parsePolicy({
      metrics: [
        {
          name: 'checkout-failures',
          kind: 'count',
          count: { expression: `SUM(SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="\${VERSION}"', 'Sum', 60))` },
          total: { namespace: 'Shop', metricName: 'CheckoutStarted' },
          versioning: { type: 'dimension', dimension: 'Version' },
        },
      ],
    });
    const { queries } = buildQueries(math, target, 60);
    expect(queries.filter(isExpressionQuery)).toEqual([
      { id: 'm0_canary_count', expression: `SUM(SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="2"', 'Sum', 60))`, period: 60 },
      { id: 'm0_baseline_count', expression: `SUM(SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="1"', 'Sum', 60))`, period: 60 },
    ]);
    expect(queries.filter((query) => !isExpressionQuery(query))).toHaveLength(2);
  });

  test('uses an application version dimension when the metric has one', () => {
    const custom = parsePolicy({
      metrics: [{ name: 'tokens', kind: 'gauge', value: { namespace: 'Chat', metricName: 'Tokens', stat: 'Average', dimensions: { Service: 'chat' } }, versioning: { type: 'dimension', dimension: 'service.version' } }],
    });
    expect(buildQueries(custom, target, 60).queries[0]).toMatchObject({ dimensions: { Service: 'chat', 'service.version': '2' } });
  });
});

describe('toObservations', () => {
  test('keeps only periods with traffic inside the window; a Lambda Errors count not there yet waits, in both arms', () => {
    const plan = buildQueries(policy, target, 60);
    const observations = toObservations(
      policy,
      plan,
      [
        { id: 'm0_canary_total', timestamps: [T0 - 60, T0, T0 + 60, T0 + 120], values: [5, 100, 0, 100] },
        { id: 'm0_canary_count', timestamps: [T0], values: [3] },
        { id: 'm0_baseline_total', timestamps: [T0, T0 + 60, T0 + 120], values: [900, 900, 900] },
        { id: 'm0_baseline_count', timestamps: [T0, T0 + 60, T0 + 120], values: [9, 8, 7] },
      ],
      { start: T0, end: T0 + 180 },
    );
    // Lambda sends Errors (0 or 1) with every invocation: a missing Errors datapoint beside Invocations is
    // late or lost, never 0 (issue 22.1), so T0 + 120 is judged in neither arm, even when settled.
    expect(observations['lambda-error-rate']).toEqual({
      kind: 'count',
      canary: [{ t: T0, count: 3, total: 100 }],
      baseline: [
        { t: T0, count: 9, total: 900 },
        { t: T0 + 60, count: 8, total: 900 },
      ],
    });
  });

  describe('a count that may be left out when zero (ALB HTTPCode_*, reported only when non-zero)', () => {
    const ecsTarget = { type: 'ecs' as const, loadBalancer: 'app/lb/1', canaryTargetGroup: 'targetgroup/green/2', baselineTargetGroup: 'targetgroup/blue/1', taskDefinition: 'td:2' };
    const alb = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }] });
    const plan = buildQueries(alb, ecsTarget, 60);
    const results = [
      { id: 'm0_canary_total', timestamps: [T0, T0 + 60, T0 + 120], values: [100, 100, 100] },
      { id: 'm0_canary_count', timestamps: [T0 + 60], values: [2] },
      { id: 'm0_baseline_total', timestamps: [T0, T0 + 60, T0 + 120], values: [100, 100, 100] },
      { id: 'm0_baseline_count', timestamps: [T0], values: [1] },
    ];

    test('is 0 in a settled period, and waits (in both arms) in a period that may still receive it', () => {
      const observations = toObservations(alb, plan, results, { start: T0, end: T0 + 180 }, { settledUntil: T0 + 120 });
      expect(observations['alb-5xx-rate']).toEqual({
        kind: 'count',
        canary: [
          { t: T0, count: 0, total: 100 },
          { t: T0 + 60, count: 2, total: 100 },
        ],
        baseline: [
          { t: T0, count: 1, total: 100 },
          { t: T0 + 60, count: 0, total: 100 },
        ],
      });
    });

    test('everything read is settled by default (replays of old deployments, simulations)', () => {
      const observations = toObservations(alb, plan, results, { start: T0, end: T0 + 180 });
      expect(observations['alb-5xx-rate']).toMatchObject({ canary: [{ count: 0 }, { count: 2 }, { t: T0 + 120, count: 0 }] });
    });

    test('in the bake the baseline, read earlier, is settled on its own timeline', () => {
      const offset = 3600;
      const shifted = results.map((series) => (series.id.includes('baseline') ? { ...series, timestamps: series.timestamps.map((t) => t - offset) } : series));
      const observations = toObservations(alb, plan, shifted, { start: T0, end: T0 + 180 }, { baselineOffset: offset, settledUntil: T0 + 120 });
      // The baseline's T0 + 120 period was an hour ago: its missing 5xx count is 0; the canary's T0 + 120 still waits.
      expect(observations['alb-5xx-rate']).toMatchObject({ canary: [{ t: T0 }, { t: T0 + 60 }], baseline: [{ t: T0 }, { t: T0 + 60 }] });
    });
  });

  test('a metric fed by an incomplete result is marked with the status and messages, in words', () => {
    const plan = buildQueries(policy, target, 60);
    const observations = toObservations(
      policy,
      plan,
      [
        { id: 'm0_canary_total', timestamps: [T0], values: [100] },
        { id: 'm0_canary_count', timestamps: [], values: [], incomplete: { status: 'InternalError', messages: ['InternalError: try again'] } },
        { id: 'm0_baseline_total', timestamps: [T0], values: [900] },
        { id: 'm0_baseline_count', timestamps: [T0], values: [9] },
      ],
      { start: T0, end: T0 + 60 },
    );
    expect(observations['lambda-error-rate']).toMatchObject({
      incomplete: "CloudWatch returned InternalError for the new version's count (query m0_canary_count) of lambda-error-rate: InternalError: try again",
    });
  });
});

test('cost per successful request is incomplete with the count metric it reads the failures from', () => {
  const stat = { namespace: 'App', metricName: 'm' };
  const costPolicy = parsePolicy({
    metrics: [
      { name: 'errors', kind: 'count', count: { namespace: 'App', metricName: 'Failed' }, total: { namespace: 'App', metricName: 'Requests' }, versioning: { type: 'dimension', dimension: 'Version' } },
      { name: 'spend', kind: 'cost', model: 'anthropic.claude-sonnet-4-20250514-v1:0', requests: { namespace: 'App', metricName: 'Requests' }, tokens: { input: stat, output: stat }, versioning: { type: 'dimension', dimension: 'Version' }, method: { type: 'cost', per: 'successful-request', errorsFrom: 'errors' } },
    ],
  });
  const plan = buildQueries(costPolicy, target, 60);
  const results = plan.queries.map((query) => ({ id: query.id, timestamps: [T0], values: [10], ...('metricName' in query && query.metricName === 'Failed' ? { incomplete: { status: 'InternalError', messages: [] } } : {}) }));
  const observations = toObservations(costPolicy, plan, results, { start: T0, end: T0 + 60 });
  expect(observations.errors).toMatchObject({ incomplete: expect.stringContaining('CloudWatch returned InternalError') });
  expect(observations.spend).toMatchObject({ incomplete: expect.stringContaining('CloudWatch returned InternalError') });
});

describe("a gauge's baseline history (Mann–Whitney, autocorrelation: adjust)", () => {
  const gaugePolicy = (method: object) =>
    parsePolicy({
      metrics: [{ name: 'p99', kind: 'gauge', value: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: 'p99' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney', ...method } }],
      bake: { duration: '5m', period: '60s' },
    });

  test('is read for historyPeriods before the window, from the baseline only, by default 240 periods', () => {
    expect(baselineHistorySeconds(gaugePolicy({}), 60)).toBe(240 * 60);
    expect(baselineHistorySeconds(gaugePolicy({ historyPeriods: 30 }), 300)).toBe(30 * 300);
    expect(baselineHistorySeconds(gaugePolicy({ autocorrelation: 'ignore' }), 60)).toBe(0);
    expect(baselineHistorySeconds(policy, 60)).toBe(0); // no gauge: nothing earlier is read
    const gauges = gaugePolicy({ historyPeriods: 3 });
    const plan = buildQueries(gauges, target, 60);
    const minutes = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => T0 + 60 * (from + i));
    const observations = toObservations(
      gauges,
      plan,
      [
        { id: 'm0_baseline_value', timestamps: minutes(-5, 2), values: [1, 2, 3, 4, 5, 6, 7] },
        { id: 'm0_canary_value', timestamps: minutes(-5, 2), values: [9, 9, 9, 9, 9, 10, 11] },
      ],
      { start: T0, end: T0 + 120 },
      { historySeconds: 3 * 60 },
    );
    expect(observations.p99).toEqual({
      kind: 'gauge',
      baseline: [{ t: T0, value: 6 }, { t: T0 + 60, value: 7 }],
      canary: [{ t: T0, value: 10 }, { t: T0 + 60, value: 11 }],
      baselineHistory: [{ t: T0 - 180, value: 3 }, { t: T0 - 120, value: 4 }, { t: T0 - 60, value: 5 }],
    });
  });

  test('the look queries that much earlier, and the verdict says how many history periods it used', async () => {
    const gauges = gaugePolicy({ historyPeriods: 30 });
    const watch = planEvaluation({ ...input, lifecycleEvent: 'BeforeAllowTraffic' }, gauges);
    const steady = new SteadyMetricSource({ '1': { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 100, errorRate: 0.01, p99Ms: 300 } });
    const queried: Array<{ start: Date; end: Date; ids: string[] }> = [];
    const spy: MetricSource = { getMetricData: async (queries: readonly MetricQuery[], window) => (queried.push({ ...window, ids: queries.map((query) => query.id) }), steady.getMetricData(queries, window)) };
    const { verdict } = await judgeWindow({ input, plan: watch }, gauges, spy, T0 + 15 * 60, { end: watch.windowEnd, deadlineReached: false });
    // The window, then the history alone: only the baseline gauge's query, for the 30 periods before.
    expect(queried.map((call) => [call.start, call.end, call.ids])).toEqual([
      [new Date(watch.windowStart * 1000), new Date((T0 + 13 * 60) * 1000), ['m0_canary_value', 'm0_baseline_value']],
      [new Date((watch.windowStart - 30 * 60) * 1000), new Date(watch.windowStart * 1000), ['m0_baseline_value']],
    ]);
    expect(verdict.metrics[0].reason).toMatch(/with 30 baseline periods before the window/);
    // The bake reads the baseline before the deployment was created: its history comes before that.
    const bake = planEvaluation({ ...input, deploymentCreatedAt: '2026-11-26T09:40:10.000Z' }, gauges);
    await judgeWindow({ input, plan: bake }, gauges, spy, T0 + 15 * 60, { end: bake.windowEnd, deadlineReached: false });
    expect(queried[3].start).toEqual(new Date((bake.windowStart - bake.baselineOffsetSeconds - 30 * 60) * 1000));
    expect(queried[3].end).toEqual(new Date((bake.windowStart - bake.baselineOffsetSeconds) * 1000));
    // Without a gauge that adjusts, one call only.
    queried.length = 0;
    await judgeWindow({ input, plan: watch }, gaugePolicy({ autocorrelation: 'ignore' }), spy, T0 + 15 * 60, { end: watch.windowEnd, deadlineReached: false });
    expect(queried).toHaveLength(1);
  });

  test('joinSeries joins the answers of the window and of the history per query, in time order', () => {
    expect(
      joinSeries(
        [{ id: 'a', timestamps: [120, 180], values: [3, 4] }, { id: 'b', timestamps: [120], values: [9] }],
        [{ id: 'a', timestamps: [0, 60], values: [1, 2] }],
      ),
    ).toEqual([
      { id: 'a', timestamps: [0, 60, 120, 180], values: [1, 2, 3, 4] },
      { id: 'b', timestamps: [120], values: [9] },
    ]);
  });
});

describe('evaluateTick', () => {
  const plan = planEvaluation(input, policy);
  const healthy = new SteadyMetricSource({ '1': { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 100, errorRate: 0.01, p99Ms: 300 } });
  const at = (minutes: number) => new Date((T0 + minutes * 60) * 1000);

  test('plans a period-aligned window of the bake duration', () => {
    expect(plan).toMatchObject({ phase: 'bake', windowStart: T0, windowEnd: T0 + 300, periodSeconds: 60, lagSeconds: 120, metricCount: 1, smokeTests: 0, dryRun: false, onEvaluatorError: 'fail' });
    // No deployment creation time: the baseline is the current version over the 5 minutes before the hook.
    expect(plan.baselineOffsetSeconds).toBe(300);
    // One hour, less the report reserve (600 s) and the hooks' maximum event age (300 s): the hook may have run late.
    expect(plan.reportBy).toBe(T0 + 30 + 3600 - 600 - 300);
    // Before traffic: the window is the canary watch (30 minutes by default), the baseline at the same time.
    expect(planEvaluation({ ...input, lifecycleEvent: 'BeforeAllowTraffic' }, policy)).toMatchObject({ phase: 'pre-traffic', windowEnd: T0 + 1800, baselineOffsetSeconds: 0, canaryWatch: true });
  });

  test('judges only periods older than the metric lag, and waits until the next one is visible', async () => {
    const queried: Array<{ start: Date; end: Date }> = [];
    const spy: MetricSource = { getMetricData: async (queries: readonly MetricQuery[], window) => (queried.push(window), healthy.getMetricData(queries, window)) };
    const early = await evaluateTick({ input, plan }, policy, spy, at(1.5));
    expect(early).toMatchObject({ decision: 'continue', periodsJudged: 0, waitSeconds: 90 });
    expect(queried).toHaveLength(0);

    const later = await evaluateTick({ input, plan }, policy, spy, at(4.25));
    expect(later).toMatchObject({ decision: 'continue', periodsJudged: 2, waitSeconds: 45 });
    // One call covers both arms: the baseline's window (5 minutes earlier) and the canary's.
    expect(queried[0]).toEqual({ start: at(-5), end: at(2) });
  });

  // Issue 11 finding 2: a numeric but invalid wait must not reach the Wait state (its Choice cannot test for an integer).
  test('a wait that is not a whole number of seconds in [0, 3600] is an error where the tick is made', async () => {
    const fractional = { ...plan, lagSeconds: 90.5 };
    await expect(evaluateTick({ input, plan: fractional }, policy, healthy, at(1.5))).rejects.toThrow('tick.waitSeconds: expected a whole number of seconds in [0, 3600], got 60.5');
    for (const bad of [-5, 1.5, 1e12, Number.NaN]) expect(() => waitSeconds(bad, 'tick.waitSeconds')).toThrow(`tick.waitSeconds: expected a whole number of seconds in [0, 3600], got ${bad}`);
    for (const good of [0, 1, 3600]) expect(waitSeconds(good, 'tick.waitSeconds')).toBe(good);
  });

  test('ends at the deadline with the policy’s onTimeout', async () => {
    const tick = await evaluateTick({ input, plan }, policy, healthy, at(7));
    expect(tick).toMatchObject({ decision: 'pass', final: true, periodsJudged: 5 });
    // A threshold metric cannot rule harm out: no breach through the window is its pass.
    expect(tick.verdict.metrics[0].reason).toContain('deadline: no breach through the window');
    const strict = { ...policy, onTimeout: 'fail' as const };
    const failed = await evaluateTick({ input, plan }, strict, healthy, at(7));
    expect(failed).toMatchObject({ decision: 'fail', final: true });
    expect(failed.verdict.metrics[0].reason).toContain('deadline: onTimeout=fail');
  });

  test('fails as soon as the canary is over the bound twice in a row', async () => {
    const regressed = new SteadyMetricSource({ '1': { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 100, errorRate: 0.05, p99Ms: 300 } });
    const tick = await evaluateTick({ input, plan }, policy, regressed, at(4));
    expect(tick).toMatchObject({ decision: 'fail', final: true, periodsJudged: 2 });
  });

  test('passes at once when the bake is disabled', async () => {
    const noBake = { ...policy, bake: { ...policy.bake, enabled: false } };
    const tick = await evaluateTick({ input, plan: planEvaluation(input, noBake) }, noBake, healthy, at(0));
    expect(tick).toMatchObject({ decision: 'pass', final: true, periodsJudged: 0, reason: 'bake disabled by the policy' });
  });

  test('compares the bake with the baseline before the deployment was created', async () => {
    const created = { ...input, deploymentCreatedAt: '2026-11-26T09:40:10.000Z' };
    const bakePlan = planEvaluation(created, policy);
    expect(bakePlan.baselineOffsetSeconds).toBe(T0 - (T0 - 20 * 60 - 300));
    const queried: Array<{ start: Date; end: Date }> = [];
    const spy: MetricSource = { getMetricData: async (queries: readonly MetricQuery[], window) => (queried.push(window), healthy.getMetricData(queries, window)) };
    await evaluateTick({ input: created, plan: bakePlan }, policy, spy, at(4));
    expect(queried[0].start).toEqual(at(-25));
  });

  test('caps the bake so the verdict is final well before the hook deadline', () => {
    const long = { ...policy, bake: { ...policy.bake, duration: 3 * 3600 } };
    const capped = planEvaluation(input, long);
    expect(capped.windowEnd + capped.lagSeconds).toBeLessThanOrEqual(capped.reportBy);
    expect(capped.reportBy - Date.parse(input.hookInvokedAt) / 1000).toBeLessThanOrEqual(3000);
  });

  test('a tick after reportBy is final whatever the metrics say', async () => {
    const silent: MetricSource = { getMetricData: async () => [] };
    const tick = await evaluateTick({ input, plan: { ...plan, windowEnd: T0 + 3 * 3600 } }, policy, silent, new Date((plan.reportBy + 1) * 1000));
    expect(tick).toMatchObject({ final: true });
  });
});

describe("the bake's count metrics are judged across time, calibrated on the current version's history (issue 22 item 2)", () => {
  const errors = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '5m', period: '60s' }, metricLag: '2m' });
  const steady = new SteadyMetricSource({ '1': { requestsPerMinute: 1000, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 1000, errorRate: 0.01, p99Ms: 300 } });

  test('the bake reads BAKE_HISTORY_PERIODS of the baseline count and total before its window; the watch reads none', async () => {
    const queried: Array<{ start: Date; end: Date; ids: string[] }> = [];
    const spy: MetricSource = { getMetricData: async (queries: readonly MetricQuery[], window) => (queried.push({ ...window, ids: queries.map((query) => query.id) }), steady.getMetricData(queries, window)) };
    const bake = planEvaluation({ ...input, deploymentCreatedAt: '2026-11-26T09:40:10.000Z' }, errors);
    const { verdict } = await judgeWindow({ input, plan: bake }, errors, spy, T0 + 15 * 60, { end: bake.windowEnd, deadlineReached: false });
    expect(queried).toHaveLength(2);
    expect(queried[1].ids.sort()).toEqual(['m0_baseline_count', 'm0_baseline_total']);
    expect(queried[1].start).toEqual(new Date((bake.windowStart - bake.baselineOffsetSeconds - BAKE_HISTORY_PERIODS * 60) * 1000));
    expect(queried[1].end).toEqual(new Date((bake.windowStart - bake.baselineOffsetSeconds) * 1000));
    expect(verdict.metrics[0].method).toBe('time-shifted');
    expect(verdict.metrics[0].reason).toMatch(/from the current version's history: sd [\d.]+ \(\d+ disjoint pairs\)/);
    expect(baselineHistorySeconds(errors, 60)).toBe(0);
    expect(baselineHistorySeconds(errors, 60, true)).toBe(BAKE_HISTORY_PERIODS * 60);
    queried.length = 0;
    const watch = planEvaluation({ ...input, lifecycleEvent: 'BeforeAllowTraffic' }, errors);
    const watched = await judgeWindow({ input, plan: watch }, errors, spy, T0 + 15 * 60, { end: watch.windowEnd, deadlineReached: false });
    expect(queried).toHaveLength(1);
    expect(watched.verdict.metrics[0].method).toBe('sequential');
  });

  test('toObservations gives a time-shifted count its shift, its period and its history', () => {
    const plan = buildQueries(errors, target, 60);
    const minutes = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => T0 + 60 * (from + i));
    const offset = 1500;
    const observations = toObservations(
      errors,
      plan,
      [
        { id: 'm0_baseline_count', timestamps: minutes(-28, -23), values: [1, 2, 3, 4, 5] },
        { id: 'm0_baseline_total', timestamps: minutes(-28, -23), values: [100, 100, 100, 100, 100] },
        { id: 'm0_canary_count', timestamps: minutes(0, 2), values: [7, 8] },
        { id: 'm0_canary_total', timestamps: minutes(0, 2), values: [100, 100] },
      ],
      { start: T0, end: T0 + 120 },
      { baselineOffset: offset, historySeconds: 3 * 60 },
    );
    expect(observations['lambda-error-rate']).toEqual({
      kind: 'count',
      canary: [{ t: T0, count: 7, total: 100 }, { t: T0 + 60, count: 8, total: 100 }],
      baseline: [{ t: T0, count: 4, total: 100 }, { t: T0 + 60, count: 5, total: 100 }],
      timeShift: { seconds: offset, periodSeconds: 60 },
      baselineHistory: [{ t: T0 - 180, count: 1, total: 100 }, { t: T0 - 120, count: 2, total: 100 }, { t: T0 - 60, count: 3, total: 100 }],
    });
  });
});

describe('lookAtBake', () => {
  const at = (minutes: number) => new Date((T0 + minutes * 60) * 1000);
  // Every stat query answers 100 a period: errors 100 of 100 requests, and 100 tokens of each type per period.
  const constant: MetricSource = {
    getMetricData: async (queries, window) =>
      queries.map((query) => {
        const timestamps: number[] = [];
        for (let t = window.start.getTime() / 1000; t < window.end.getTime() / 1000; t += 60) timestamps.push(t);
        return { id: query.id, timestamps, values: timestamps.map(() => 100) };
      }),
  };

  test("publishes the spend of every cost metric, also one the state's compacted verdict leaves out", async () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const many = parsePolicy({
      metrics: [
        ...Array.from({ length: 40 }, (_, index) => ({ preset: 'lambda-error-rate', name: `errors-with-a-long-descriptive-name-${index}`, method: { type: 'threshold', max: 0.5 } })),
        { preset: 'bedrock-cost-per-request', name: 'chat-spend', namespace: 'Chat', modelId: model },
      ],
      bake: { duration: '5m', period: '60s' },
      metricLag: '2m',
    });
    const { tick, costPerRequest } = await lookAtBake({ input, plan: planEvaluation(input, many) }, many, constant, at(4.25));
    expect(tick.verdict.omittedMetrics).toBeGreaterThan(0);
    expect(tick.verdict.metrics.some((metric) => metric.metric === 'chat-spend')).toBe(false);
    expect(costPerRequest.map((figure) => [figure.metric, figure.arm])).toEqual([
      ['chat-spend', 'canary'],
      ['chat-spend', 'baseline'],
    ]);
    expect(costPerRequest[0].usd).toBeGreaterThan(0);
  });
});

describe('one false-alarm budget per deployment', () => {
  test('the canary watch and the bake each spend half of α when both judge; a phase alone spends all of it', () => {
    const metrics = [{ preset: 'lambda-error-rate' as const }];
    expect(alphaShareOf(parsePolicy({ metrics }))).toBe(0.5);
    expect(alphaShareOf(parsePolicy({ metrics, canaryWatch: { enabled: false } }))).toBe(1);
    expect(alphaShareOf(parsePolicy({ metrics, bake: { enabled: false } }))).toBe(1);
  });
});

describe('a look without all of its data (issues 22.1, 23.5)', () => {
  const plan = planEvaluation(input, policy);
  const steady = new SteadyMetricSource({ '1': { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 300, errorRate: 0.01, p99Ms: 300 } });
  const throttled: MetricSource = {
    getMetricData: async () => {
      throw new MetricsThrottledError('CloudWatch GetMetricData throttled (Throttling: Rate exceeded) after 8 attempts, 11.2 s of backoff');
    },
  };
  const partial: MetricSource = {
    getMetricData: async (queries, window) =>
      (await steady.getMetricData(queries, window)).map((series) => (series.id === 'm0_canary_count' ? { ...series, incomplete: { status: 'PartialData', messages: [] } } : series)),
  };
  const atSeconds = (seconds: number) => new Date(seconds * 1000);
  const windowVisible = plan.windowEnd + plan.lagSeconds;

  test('throttled throughout: the look is skipped (continue, a wait, nothing judged)', async () => {
    const tick = await evaluateTick({ input, plan }, policy, throttled, atSeconds(plan.windowStart + 4 * 60));
    expect(tick).toMatchObject({ decision: 'continue', final: false, periodsJudged: 0 });
    expect(tick.reason).toMatch(/^look skipped: CloudWatch GetMetricData throttled/);
    expect(tick.waitSeconds).toBeGreaterThan(0);
  });

  test('throttled after the window ends but before reportBy: still skipped; at reportBy: inconclusive with the reason', async () => {
    expect(await evaluateTick({ input, plan }, policy, throttled, atSeconds(windowVisible))).toMatchObject({ decision: 'continue', final: false });
    const last = await evaluateTick({ input, plan }, policy, throttled, atSeconds(plan.reportBy));
    expect(last).toMatchObject({ decision: 'inconclusive', final: true, verdict: { inconclusive: { metrics: ['lambda-error-rate'] } } });
    expect(last.reason).toContain('the metrics could not be read (CloudWatch GetMetricData throttled');
  });

  test('a critical metric still incomplete when the window is complete is read again at the next look; at reportBy it is inconclusive', async () => {
    const waiting = await evaluateTick({ input, plan }, policy, partial, atSeconds(windowVisible));
    expect(waiting).toMatchObject({ decision: 'continue', final: false });
    expect(waiting.reason).toContain('waiting for CloudWatch data until the deadline: CloudWatch returned PartialData');
    const last = await evaluateTick({ input, plan }, policy, partial, atSeconds(plan.reportBy));
    expect(last).toMatchObject({ decision: 'inconclusive', final: true });
    expect(last.reason).toContain('CloudWatch returned PartialData');
  });

  test('the same look with complete data is final at the window end (control)', async () => {
    expect(await evaluateTick({ input, plan }, policy, steady, atSeconds(windowVisible))).toMatchObject({ decision: 'pass', final: true });
  });
});
