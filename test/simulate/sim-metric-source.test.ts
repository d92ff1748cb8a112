import {
  SimulatedMetricSource,
  generateSeries,
  parseScenario,
  type ScenarioInput,
  type SimulatedSeries,
} from '../../lib/simulate';
import type { MetricQuery } from '../../lib/evaluation';

const scenarioInput: ScenarioInput = {
  name: 'source',
  seed: 3,
  durationMinutes: 30,
  startTime: '2025-01-06T10:00:00Z',
  traffic: { requestsPerMinute: 600 },
  schedule: { type: 'canary', percent: 10, minutes: 15 },
  baseline: { errorRate: 0.02, latency: { medianMs: 120, p99Ms: 900 }, tokens: { input: 1000, output: 300, cacheRead: 200, cacheWrite: 20 }, modelId: 'model-a' },
  target: { functionName: 'checkout', alias: 'live', applicationNamespace: 'Shop' },
  metricLagMinutes: 2,
  slowThresholdMs: 800,
};

const series: SimulatedSeries = generateSeries(parseScenario(scenarioInput));
const start = new Date(series.startEpochSeconds * 1000);
const minuteDate = (minute: number) => new Date((series.startEpochSeconds + minute * 60) * 1000);
const everything = { start, end: minuteDate(30) };
/** A source whose virtual clock reads the end of the scenario plus the lag: everything visible. */
const lateSource = () => new SimulatedMetricSource(series, () => minuteDate(40));

const lambdaVersion = (version: string) => ({ FunctionName: 'checkout', Resource: 'checkout:live', ExecutedVersion: version });
const lambda = (metricName: string, stat: string, version = '2', period = 60): MetricQuery => ({
  id: `${metricName}_${version}`,
  namespace: 'AWS/Lambda',
  metricName,
  dimensions: lambdaVersion(version),
  stat,
  period,
});

async function one(source: SimulatedMetricSource, query: MetricQuery, range = everything) {
  const [result] = await source.getMetricData([query], range);
  expect(result.id).toBe(query.id);
  return result;
}

describe('SimulatedMetricSource: Lambda metrics per ExecutedVersion', () => {
  const canary = series.versions['2'];
  const baseline = series.versions['1'];

  test('Invocations and Errors (Sum) equal the series, one datapoint per minute with traffic', async () => {
    const source = lateSource();
    const invocations = await one(source, lambda('Invocations', 'Sum'));
    const errors = await one(source, lambda('Errors', 'Sum'));
    expect(invocations.timestamps).toEqual(canary.map((m) => m.t));
    expect(invocations.values).toEqual(canary.map((m) => m.requests));
    expect(errors.values).toEqual(canary.map((m) => m.errors));
  });

  test('zero-traffic minutes have no datapoint (baseline after the shift)', async () => {
    const invocations = await one(lateSource(), lambda('Invocations', 'Sum', '1'));
    expect(baseline.slice(15).every((m) => m.requests === 0)).toBe(true);
    expect(invocations.timestamps).toEqual(baseline.slice(0, 15).map((m) => m.t));
    const errors = await one(lateSource(), lambda('Errors', 'Sum', '1'));
    expect(errors.timestamps).toHaveLength(15);
  });

  test('Duration percentiles, SampleCount, Average, Minimum and Maximum', async () => {
    const source = lateSource();
    const [p50, p90, p99, p999, sampleCount, average, minimum, maximum] = await source.getMetricData(
      ['p50', 'p90', 'p99', 'p99.9', 'SampleCount', 'Average', 'Minimum', 'Maximum'].map((stat, index) => ({ ...lambda('Duration', stat), id: `d${index}` })),
      everything,
    );
    expect(p50.values).toEqual(canary.map((m) => m.latency!.p50));
    expect(p90.values).toEqual(canary.map((m) => m.latency!.p90));
    expect(p99.values).toEqual(canary.map((m) => m.latency!.p99));
    expect(sampleCount.values).toEqual(canary.map((m) => m.requests));
    p999.values.forEach((value, index) => expect(value).toBeGreaterThanOrEqual(p99.values[index]));
    average.values.forEach((value, index) => {
      expect(value).toBeGreaterThan(minimum.values[index]);
      expect(value).toBeLessThan(maximum.values[index]);
      // The lognormal's mean is median·exp(σ²/2) ≈ 175 ms.
      expect(value).toBeGreaterThan(100);
      expect(value).toBeLessThan(300);
    });
  });

  test('TC(x:) at the slow threshold is the exact slow count; PR(:x) is its complement in percent', async () => {
    const source = lateSource();
    const [slow, fastPercent] = await source.getMetricData([{ ...lambda('Duration', 'TC(800:)'), id: 'slow' }, { ...lambda('Duration', 'PR(:800)'), id: 'fast' }], everything);
    expect(slow.values).toEqual(canary.map((m) => m.slowRequests));
    fastPercent.values.forEach((value, index) => expect(value).toBeCloseTo(100 * (1 - canary[index].slowRequests / canary[index].requests), 9));
  });

  test('TC ranges add up, and a round threshold off the slow threshold is exact too', async () => {
    const source = lateSource();
    const [low, high, whole] = await source.getMetricData(
      [
        { ...lambda('Duration', 'TC(200:500)'), id: 'low' },
        { ...lambda('Duration', 'TC(500:)'), id: 'high' },
        { ...lambda('Duration', 'TC(200:)'), id: 'whole' },
      ],
      everything,
    );
    whole.values.forEach((value, index) => {
      expect(Number.isInteger(value)).toBe(true);
      expect(low.values[index] + high.values[index]).toBe(value);
    });
  });

  test('the alias-level and function-level series sum both versions', async () => {
    const source = lateSource();
    const [alias, functionLevel] = await source.getMetricData(
      [
        { id: 'alias', namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: { FunctionName: 'checkout', Resource: 'checkout:live' }, stat: 'Sum', period: 60 },
        { id: 'fn', namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: { FunctionName: 'checkout' }, stat: 'Sum', period: 60 },
      ],
      everything,
    );
    expect(alias.values).toEqual(canary.map((m, index) => m.requests + baseline[index].requests));
    expect(functionLevel.values).toEqual(alias.values);
  });

  test('a period of 5 minutes sums its minutes, aligned on the period', async () => {
    const result = await one(lateSource(), lambda('Invocations', 'Sum', '2', 300));
    expect(result.timestamps).toEqual([0, 5, 10, 15, 20, 25].map((minute) => series.startEpochSeconds + minute * 60));
    expect(result.values[0]).toBe(canary.slice(0, 5).reduce((sum, m) => sum + m.requests, 0));
  });

  test('the range is [start, end)', async () => {
    const result = await one(lateSource(), lambda('Invocations', 'Sum'), { start: minuteDate(3), end: minuteDate(6) });
    expect(result.timestamps).toEqual([3, 4, 5].map((minute) => series.startEpochSeconds + minute * 60));
  });

  test("before the start only the baseline version answers, from the series' baseline history", async () => {
    const before = { start: minuteDate(-3), end: minuteDate(1) };
    const baseline = await one(lateSource(), lambda('Invocations', 'Sum', '1'), before);
    expect(baseline.timestamps).toEqual([-3, -2, -1, 0].map((minute) => series.startEpochSeconds + minute * 60));
    expect(baseline.values.slice(0, 3)).toEqual(series.baselineHistory.slice(-3).map((m) => m.requests));
    const canary = await one(lateSource(), lambda('Invocations', 'Sum', '2'), before);
    expect(canary.timestamps).toEqual([series.startEpochSeconds]);
  });
});

describe('SimulatedMetricSource: metric lag', () => {
  test('the datapoint of minute m appears at minute m + 1 + lag', async () => {
    let now = minuteDate(10);
    const source = new SimulatedMetricSource(series, () => now);
    const visibleMinutes = async () => (await one(source, lambda('Invocations', 'Sum'))).timestamps.map((t) => (t - series.startEpochSeconds) / 60);
    // At minute 10 with a 2-minute lag, minutes 0..7 are complete and visible.
    expect(await visibleMinutes()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    now = new Date(minuteDate(11).getTime() - 1000);
    expect(await visibleMinutes()).toHaveLength(8);
    now = minuteDate(11);
    expect(await visibleMinutes()).toHaveLength(9);
    now = minuteDate(2);
    expect(await visibleMinutes()).toEqual([]);
  });
});

describe('SimulatedMetricSource: application token metrics by Version', () => {
  const app = (metricName: string, stat: string, dimensions: Record<string, string>): MetricQuery => ({ id: metricName, namespace: 'Shop', metricName, dimensions, stat, period: 60 });

  test.each([
    ['InputTokenCount', 'input'],
    ['OutputTokenCount', 'output'],
    ['CacheReadInputTokenCount', 'cacheRead'],
    ['CacheWriteInputTokenCount', 'cacheWrite'],
  ] as const)('%s Sum equals the %s tokens of the version', async (metricName, type) => {
    const result = await one(lateSource(), app(metricName, 'Sum', { Version: '1' }));
    expect(result.values).toEqual(series.versions['1'].filter((m) => m.requests > 0).map((m) => m.tokens[type]));
    expect(result.values.every((value) => value > 0)).toBe(true);
  });

  test('SampleCount and Invocations are requests; Average is tokens per request; ModelId must match', async () => {
    const source = lateSource();
    const [count, invocations, average, withModel, otherModel] = await source.getMetricData(
      [
        { ...app('OutputTokenCount', 'SampleCount', { Version: '2' }), id: 'count' },
        { ...app('Invocations', 'Sum', { Version: '2' }), id: 'invocations' },
        { ...app('OutputTokenCount', 'Average', { Version: '2' }), id: 'average' },
        { ...app('OutputTokenCount', 'Sum', { Version: '2', ModelId: 'model-a' }), id: 'withModel' },
        { ...app('OutputTokenCount', 'Sum', { Version: '2', ModelId: 'model-b' }), id: 'otherModel' },
      ],
      everything,
    );
    const canary = series.versions['2'];
    expect(count.values).toEqual(canary.map((m) => m.requests));
    expect(invocations.values).toEqual(count.values);
    expect(average.values).toEqual(canary.map((m) => m.tokens.output / m.requests));
    expect(withModel.values).toEqual(canary.map((m) => m.tokens.output));
    expect(otherModel.values).toEqual([]);
  });
});

describe('SimulatedMetricSource: mismatches', () => {
  test.each([
    ['an unknown metric', { ...lambda('Throttles', 'Sum') }],
    ['another function', { ...lambda('Invocations', 'Sum'), dimensions: { ...lambdaVersion('2'), FunctionName: 'other' } }],
    ['a direct version invocation (smoke tests)', { ...lambda('Invocations', 'Sum'), dimensions: { FunctionName: 'checkout', Resource: 'checkout:2' } }],
    ['an unknown version', lambda('Invocations', 'Sum', '3')],
    ['an extra dimension', { ...lambda('Invocations', 'Sum'), dimensions: { ...lambdaVersion('2'), Region: 'x' } }],
    ['another namespace', { ...lambda('Invocations', 'Sum'), namespace: 'AWS/ApplicationELB' }],
  ])('%s gives an empty series and is recorded', async (_case, query) => {
    const source = lateSource();
    expect(await one(source, query)).toEqual({ id: query.id, timestamps: [], values: [] });
    expect(source.unmatchedQueries).toEqual([query.id]);
  });

  test.each([
    ['Average on Errors', lambda('Errors', 'Average')],
    ['a percentile on Invocations', lambda('Invocations', 'p99')],
    ['a percent-bounded TC', lambda('Duration', 'TC(10%:90%)')],
    ['an inverted range', lambda('Duration', 'TC(900:100)')],
    ['a trimmed mean', lambda('Duration', 'tm99')],
    ['a period that is not whole minutes', lambda('Invocations', 'Sum', '2', 90)],
  ])('fails on %s', async (_case, query) => {
    await expect(lateSource().getMetricData([query], everything)).rejects.toThrow(/not supported/);
  });
});

describe('SimulatedMetricSource: agent metrics, one raw value per turn (edit), by Version', () => {
  const agentSeries = generateSeries(parseScenario({ ...scenarioInput, baseline: { ...scenarioInput.baseline, agent: { reasoningTokensPerTurn: 800, filesReadBeforeEdit: 4 } } }), { historyMinutes: 0 });
  const source = () => new SimulatedMetricSource(agentSeries, () => minuteDate(40));
  const agent = (metricName: string, stat: string, version: string): MetricQuery => ({ id: `${metricName}_${stat}_${version}`, namespace: 'Shop', metricName, dimensions: { Version: version }, stat, period: 60 });

  test('SampleCount is the turns (one per request); TC(:b) counts the values ≤ b, PR(:b) their percentage; TC ranges add up', async () => {
    const [count, low, rank, high] = await source().getMetricData(
      [agent('ReasoningTokensPerTurn', 'SampleCount', '2'), agent('ReasoningTokensPerTurn', 'TC(:400)', '2'), agent('ReasoningTokensPerTurn', 'PR(:400)', '2'), agent('ReasoningTokensPerTurn', 'TC(400:)', '2')],
      everything,
    );
    const canary = agentSeries.versions['2'].filter((m) => m.requests > 0);
    expect(count.values).toEqual(canary.map((m) => m.requests));
    const exact = canary.map((m) => m.agent!.reasoningTokens!.filter((bin) => bin.highMs <= 400).reduce((sum, bin) => sum + bin.count, 0));
    expect(low.values).toEqual(exact);
    low.values.forEach((value, i) => {
      expect(rank.values[i]).toBeCloseTo((100 * value) / count.values[i], 10);
      expect(value + high.values[i]).toBe(count.values[i]);
    });
  });

  test('files read: TC(:0) counts edits made without reading, TC(:k) is exact on whole numbers; p50 is near the mean of 4', async () => {
    const [none, upTo2, median] = await source().getMetricData(
      [agent('FilesReadBeforeEdit', 'TC(:0)', '1'), agent('FilesReadBeforeEdit', 'TC(:2)', '1'), agent('FilesReadBeforeEdit', 'p50', '1')],
      everything,
    );
    const baseline = agentSeries.versions['1'].filter((m) => m.requests > 0);
    const valueCount = (m: (typeof baseline)[number], atMost: number) => m.agent!.filesRead!.filter((bin) => bin.highMs <= atMost).reduce((sum, bin) => sum + bin.count, 0);
    expect(none.values).toEqual(baseline.map((m) => valueCount(m, 0)));
    expect(upTo2.values).toEqual(baseline.map((m) => valueCount(m, 2)));
    for (const value of median.values) {
      expect(value).toBeGreaterThan(3);
      expect(value).toBeLessThanOrEqual(4);
    }
  });

  test('a scenario without the agent metric has no series for it (recorded as unmatched); Sum of a trimmed percentage is refused', async () => {
    const plain = new SimulatedMetricSource(series, () => minuteDate(40));
    const result = await one(plain, agent('ReasoningTokensPerTurn', 'SampleCount', '2'));
    expect(result.values).toEqual([]);
    expect(plain.unmatchedQueries).toEqual([result.id]);
    await expect(source().getMetricData([agent('ReasoningTokensPerTurn', 'TC(10%:90%)', '2')], everything)).rejects.toThrow(/not supported for agent values/);
  });
});
