import { generateSeries, parseScenario, SIMULATED_HISTORY_MINUTES, type ScenarioInput, type SimulatedSeries, type VersionMinute } from '../../lib/simulate';

const base: ScenarioInput = {
  name: 'test',
  seed: 11,
  durationMinutes: 30,
  traffic: { requestsPerMinute: 1000 },
  baseline: { errorRate: 0.01, latency: { medianMs: 120, p99Ms: 900 }, tokens: { input: 1000, output: 300 } },
};

const generate = (overrides: Partial<ScenarioInput> = {}) => generateSeries(parseScenario({ ...base, ...overrides }));
const totals = (minutes: readonly VersionMinute[], pick: (minute: VersionMinute) => number) => minutes.reduce((sum, minute) => sum + pick(minute), 0);
const rate = (minutes: readonly VersionMinute[]) => totals(minutes, (m) => m.errors) / totals(minutes, (m) => m.requests);
const baselineOf = (series: SimulatedSeries) => series.versions['1'];
const canaryOf = (series: SimulatedSeries) => series.versions['2'];

describe('determinism', () => {
  test('the same seed gives a deep-equal series', () => {
    expect(generate()).toEqual(generate());
  });

  test('another seed gives another series', () => {
    const first = generate();
    const second = generate({ seed: 12 });
    expect(second).not.toEqual(first);
    expect(baselineOf(second).map((m) => m.requests)).not.toEqual(baselineOf(first).map((m) => m.requests));
  });
});

describe('baseline history', () => {
  test('the baseline alone serves all traffic for SIMULATED_HISTORY_MINUTES before the start, on negative minutes', () => {
    const series = generate({ startTime: '2025-03-03T08:00:00Z', regressions: [{ metric: 'errors', factor: 5, fromMinute: 0 }] });
    const history = series.baselineHistory;
    expect(history).toHaveLength(SIMULATED_HISTORY_MINUTES);
    expect(history.map((m) => m.minute)).toEqual(Array.from({ length: SIMULATED_HISTORY_MINUTES }, (_, i) => i - SIMULATED_HISTORY_MINUTES));
    expect(history.map((m) => m.t - series.startEpochSeconds)).toEqual(history.map((m) => m.minute * 60));
    // All the traffic (no canary then), at the baseline's own error rate (the canary's regression is not in it).
    expect(totals(history, (m) => m.requests) / SIMULATED_HISTORY_MINUTES).toBeGreaterThan(950);
    expect(rate(history)).toBeGreaterThan(0.008);
    expect(rate(history)).toBeLessThan(0.012);
  });

  test('draws from a seed of its own: the deployment minutes are the same with or without it', () => {
    const scenario = parseScenario(base);
    const without = generateSeries(scenario, { historyMinutes: 0 });
    const withHistory = generateSeries(scenario);
    expect(without.baselineHistory).toEqual([]);
    expect(withHistory.versions).toEqual(without.versions);
    expect(withHistory.baselineHistory.slice(-30).map((m) => m.requests)).not.toEqual(baselineOf(without).map((m) => m.requests));
  });
});

describe('traffic', () => {
  test('minutes start on the deployment start and step by 60 s', () => {
    const series = generate({ startTime: '2025-03-03T08:00:00Z' });
    expect(series.startEpochSeconds).toBe(Date.parse('2025-03-03T08:00:00Z') / 1000);
    expect(baselineOf(series).map((m) => m.t - series.startEpochSeconds)).toEqual(Array.from({ length: 30 }, (_, i) => i * 60));
  });

  test('requests per minute average the configured rate', () => {
    const series = generate({ durationMinutes: 600, schedule: { type: 'all-at-once' } });
    const mean = totals(canaryOf(series), (m) => m.requests) / 600;
    expect(Math.abs(mean - 1000)).toBeLessThan(4 * Math.sqrt(1000 / 600));
  });

  test('the canary share follows a canary schedule: 10 % for 15 minutes, then all', () => {
    const series = generate();
    const window = Array.from({ length: 15 }, (_, i) => i);
    const canaryRequests = totals(canaryOf(series).slice(0, 15), (m) => m.requests);
    const allRequests = canaryRequests + totals(baselineOf(series).slice(0, 15), (m) => m.requests);
    expect(canaryRequests / allRequests).toBeGreaterThan(0.09);
    expect(canaryRequests / allRequests).toBeLessThan(0.11);
    expect(series.canaryShare).toEqual([...window.map(() => 0.1), ...window.map(() => 1)]);
    expect(baselineOf(series).slice(15).every((m) => m.requests === 0 && m.latency === undefined && m.errors === 0)).toBe(true);
  });

  test('the canary share follows a linear schedule', () => {
    const series = generate({ durationMinutes: 27, schedule: { type: 'linear', percent: 10, everyMinutes: 3 }, traffic: { requestsPerMinute: 5000 } });
    for (let step = 0; step < 9; step += 1) {
      const minutes = [3 * step, 3 * step + 1, 3 * step + 2];
      const canary = totals(minutes.map((i) => canaryOf(series)[i]), (m) => m.requests);
      const all = canary + totals(minutes.map((i) => baselineOf(series)[i]), (m) => m.requests);
      expect(Math.abs(canary / all - 0.1 * (step + 1))).toBeLessThan(0.02);
    }
  });

  test('a daily shape follows the peak hour', () => {
    const series = generate({
      startTime: '2025-01-06T00:00:00Z',
      durationMinutes: 24 * 60,
      schedule: { type: 'all-at-once' },
      traffic: { requestsPerMinute: 1000, daily: { amplitude: 0.5, peakHourUtc: 14 } },
    });
    const hourMean = (hour: number) => totals(canaryOf(series).slice(hour * 60, hour * 60 + 60), (m) => m.requests) / 60;
    expect(hourMean(14) / 1500).toBeCloseTo(1, 1);
    expect(hourMean(2) / 500).toBeCloseTo(1, 1);
  });
});

describe('errors', () => {
  test('the error rate over a long run is within tolerance of the configured rate', () => {
    const series = generate({ durationMinutes: 240, traffic: { requestsPerMinute: 2000 }, baseline: { ...base.baseline!, errorRate: 0.02 }, schedule: { type: 'all-at-once' } });
    // ~480k requests: the standard error of the rate is ~0.0002.
    expect(Math.abs(rate(canaryOf(series)) - 0.02)).toBeLessThan(0.001);
  });

  test('a regression multiplies the canary errors and leaves the baseline draw for draw unchanged', () => {
    const healthy = generate({ durationMinutes: 120, schedule: { type: 'canary', percent: 50, minutes: 120 } });
    const regressed = generate({ durationMinutes: 120, schedule: { type: 'canary', percent: 50, minutes: 120 }, regressions: [{ metric: 'errors', factor: 3, fromMinute: 0 }] });
    expect(baselineOf(regressed)).toEqual(baselineOf(healthy));
    expect(canaryOf(regressed).map((m) => m.requests)).toEqual(canaryOf(healthy).map((m) => m.requests));
    expect(canaryOf(regressed).every((m) => m.truth.errorRate === 0.03)).toBe(true);
    expect(rate(canaryOf(regressed)) / rate(baselineOf(regressed))).toBeGreaterThan(2.6);
    expect(rate(canaryOf(regressed)) / rate(baselineOf(regressed))).toBeLessThan(3.4);
  });

  test('a regression is active only in its window', () => {
    const series = generate({ regressions: [{ metric: 'errors', factor: 5, fromMinute: 10, untilMinute: 12 }] });
    expect(canaryOf(series).map((m) => m.truth.errorRate)).toEqual(canaryOf(series).map((m) => (m.minute >= 10 && m.minute < 12 ? 0.05 : 0.01)));
  });

  test('an incident hits both versions', () => {
    const series = generate({
      durationMinutes: 60,
      traffic: { requestsPerMinute: 4000 },
      schedule: { type: 'canary', percent: 50, minutes: 60 },
      burstiness: { incidents: [{ fromMinute: 20, minutes: 20, errorRateFactor: 5 }] },
    });
    for (const version of [baselineOf(series), canaryOf(series)]) {
      const during = version.slice(20, 40);
      const outside = [...version.slice(0, 20), ...version.slice(40)];
      expect(during.every((m) => m.truth.errorRate === 0.05)).toBe(true);
      expect(rate(during) / rate(outside)).toBeGreaterThan(4.3);
      expect(rate(during) / rate(outside)).toBeLessThan(5.7);
    }
  });

  test('overdispersion makes error counts vary more than binomial; shared bursts hit both versions alike', () => {
    const series = generate({
      durationMinutes: 300,
      traffic: { requestsPerMinute: 2000 },
      schedule: { type: 'canary', percent: 50, minutes: 300 },
      burstiness: { overdispersion: 0.5 },
    });
    const counts = baselineOf(series).map((m) => m.errors);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((sum, c) => sum + (c - mean) ** 2, 0) / (counts.length - 1);
    // Binomial variance ≈ mean; gamma-Poisson adds mean² · 0.5 (mean ≈ 10 → ×6).
    expect(variance / mean).toBeGreaterThan(3);
    expect(baselineOf(series).map((m) => m.truth.errorRate)).toEqual(canaryOf(series).map((m) => m.truth.errorRate));
  });

  test('per-version overdispersion draws independent multipliers', () => {
    const series = generate({ burstiness: { overdispersion: 0.5, overdispersionScope: 'per-version' } });
    expect(baselineOf(series).slice(0, 15).map((m) => m.truth.errorRate)).not.toEqual(canaryOf(series).slice(0, 15).map((m) => m.truth.errorRate));
  });
});

describe('latency', () => {
  const pooledP = (minutes: readonly VersionMinute[], key: 'p50' | 'p99') => {
    const values = minutes.filter((m) => m.latency).map((m) => m.latency![key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };

  test('summaries match the configured lognormal, and the slow count matches its probability', () => {
    const series = generate({ durationMinutes: 120, schedule: { type: 'all-at-once' } });
    const canary = canaryOf(series);
    expect(pooledP(canary, 'p50') / 120).toBeCloseTo(1, 1);
    expect(pooledP(canary, 'p99') / 900).toBeGreaterThan(0.9);
    expect(pooledP(canary, 'p99') / 900).toBeLessThan(1.1);
    expect(canary.every((m) => m.latency!.sampleCount === m.requests)).toBe(true);
    expect(canary.every((m) => m.latency!.bins.reduce((sum, bin) => sum + bin.count, 0) === m.requests)).toBe(true);
    const slowShare = totals(canary, (m) => m.slowRequests) / totals(canary, (m) => m.requests);
    expect(Math.abs(slowShare - canary[0].truth.slowProbability)).toBeLessThan(0.001);
    expect(canary[0].truth.slowProbability).toBeCloseTo(0.0072, 4);
  });

  test('p99AddedMs widens the canary tail and keeps its median', () => {
    const series = generate({ durationMinutes: 120, schedule: { type: 'canary', percent: 50, minutes: 120 }, regressions: [{ metric: 'latency', p99AddedMs: 400, fromMinute: 0 }] });
    expect(pooledP(canaryOf(series), 'p50') / pooledP(baselineOf(series), 'p50')).toBeCloseTo(1, 1);
    expect(pooledP(canaryOf(series), 'p99') - pooledP(baselineOf(series), 'p99')).toBeGreaterThan(300);
    expect(pooledP(canaryOf(series), 'p99') - pooledP(baselineOf(series), 'p99')).toBeLessThan(500);
    expect(canaryOf(series)[0].truth.slowProbability).toBeCloseTo(0.0192, 3);
  });

  test('addedMs shifts and factor scales every canary request', () => {
    const shifted = generate({ durationMinutes: 60, schedule: { type: 'canary', percent: 50, minutes: 60 }, regressions: [{ metric: 'latency', addedMs: 100, factor: 2, fromMinute: 0 }] });
    expect(pooledP(canaryOf(shifted), 'p50') / (2 * 120 + 100)).toBeCloseTo(1, 1);
    expect(pooledP(baselineOf(shifted), 'p50') / 120).toBeCloseTo(1, 1);
  });
});

describe('tokens', () => {
  test('sums follow the means, and a token regression touches only its types on the canary', () => {
    const series = generate({
      durationMinutes: 60,
      schedule: { type: 'canary', percent: 50, minutes: 60 },
      regressions: [{ metric: 'tokens', factor: 2, tokenTypes: ['output'], fromMinute: 0 }],
    });
    const perRequest = (minutes: readonly VersionMinute[], type: 'input' | 'output') => totals(minutes, (m) => m.tokens[type]) / totals(minutes, (m) => m.requests);
    expect(perRequest(baselineOf(series), 'output') / 300).toBeCloseTo(1, 1);
    expect(perRequest(canaryOf(series), 'output') / 600).toBeCloseTo(1, 1);
    expect(perRequest(canaryOf(series), 'input') / 1000).toBeCloseTo(1, 1);
    expect(totals(canaryOf(series), (m) => m.tokens.cacheRead)).toBe(0);
  });
});

describe('agent behaviour: every turn (edit) drawn, one per request', () => {
  const agentScenario = (regressions: ScenarioInput['regressions'] = []) =>
    generateSeries(
      parseScenario({
        ...base,
        traffic: { requestsPerMinute: 3000 },
        baseline: { ...base.baseline, agent: { reasoningTokensPerTurn: 800, sigma: 0.5, filesReadBeforeEdit: 4 } },
        regressions,
      }),
      { historyMinutes: 0 },
    );
  const countOf = (minutes: readonly VersionMinute[], value: 'reasoningTokens' | 'filesRead', atMost: number) =>
    totals(minutes, (m) => (m.agent?.[value] ?? []).filter((bin) => bin.highMs <= atMost).reduce((sum, bin) => sum + bin.count, 0));
  const turns = (minutes: readonly VersionMinute[], value: 'reasoningTokens' | 'filesRead') => totals(minutes, (m) => (m.agent?.[value] ?? []).reduce((sum, bin) => sum + bin.count, 0));

  test('one value per request in each histogram; files read are whole numbers with the configured Poisson mean', () => {
    const baseline = baselineOf(agentScenario());
    expect(turns(baseline, 'reasoningTokens')).toBe(totals(baseline, (m) => m.requests));
    expect(turns(baseline, 'filesRead')).toBe(totals(baseline, (m) => m.requests));
    const files = baseline.flatMap((m) => m.agent?.filesRead ?? []);
    expect(files.every((bin) => bin.highMs - bin.lowMs === 1 && Number.isInteger(bin.highMs) && bin.highMs >= 0)).toBe(true);
    const mean = files.reduce((sum, bin) => sum + bin.highMs * bin.count, 0) / turns(baseline, 'filesRead');
    expect(mean).toBeCloseTo(4, 1);
    // P(X ≤ 2) of Poisson(4) = 13 e⁻⁴ = 0.238; P(log-normal(log 800, 0.5) ≤ 400) = Φ(−log 2 / 0.5) = 0.083.
    expect(countOf(baseline, 'filesRead', 2) / turns(baseline, 'filesRead')).toBeCloseTo(0.238, 2);
    expect(countOf(baseline, 'reasoningTokens', 400) / turns(baseline, 'reasoningTokens')).toBeCloseTo(0.083, 2);
  });

  test('a reasoning or files-read regression moves the canary only; the baseline is the same draw for draw', () => {
    const healthy = agentScenario();
    const dropped = agentScenario([
      { metric: 'reasoning', factor: 0.5, fromMinute: 0 },
      { metric: 'files-read', factor: 0.5, fromMinute: 0 },
    ]);
    expect(baselineOf(dropped)).toEqual(baselineOf(healthy));
    const canary = canaryOf(dropped);
    // Median halved: half the turns at or below 400. Mean 2: P(X ≤ 2) = 5 e⁻² = 0.677.
    expect(countOf(canary, 'reasoningTokens', 400) / turns(canary, 'reasoningTokens')).toBeCloseTo(0.5, 1);
    expect(countOf(canary, 'filesRead', 2) / turns(canary, 'filesRead')).toBeCloseTo(0.677, 1);
  });
});
