import { judge } from '../../lib/judge';
import { createRandom } from '../../lib/judge/random';
import { blockPairInflation, windowMoreCorrelated } from '../../lib/judge/autocorrelation';
import { GAUGE_METHODS, HOST_SCENARIOS, gaugePolicy, hostFailRate } from '../../scripts/bench-judge-hosts';
import { hostSeries, twoHosts, HOST_LIKE } from './host-series';

// Gauges on host-like series (issue 22 item 5): α = 5 %, 10 vs 10 minutes, 240 periods of history.
const RUNS = 200;
const ALPHA = 0.05;
const bound = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / RUNS);
const [mannWhitney, formerDefault] = GAUGE_METHODS.map(({ method }) => gaugePolicy(method));
const scenario = (name: string) => HOST_SCENARIOS.find((entry) => entry.name.startsWith(name))!;

describe('gauges on host-like series (issue 22 item 5)', () => {
  jest.setTimeout(180_000);

  it('reproduces the classes: the former default (threshold ×2) fails busy hosts; the plain rank test fails drifting ones', () => {
    const busy = scenario('busy minutes');
    expect(hostFailRate(RUNS, 1, formerDefault, busy.spec)).toBeGreaterThan(0.15);
    const drift = scenario('strong slow drift');
    expect(hostFailRate(RUNS, 2, gaugePolicy({ type: 'mann-whitney', autocorrelation: 'ignore' }), drift.spec)).toBeGreaterThan(0.15);
  });

  it('the default gauge method is Mann–Whitney with the autocorrelation adjustment', () => {
    expect(gaugePolicy().metrics[0].method).toMatchObject({ type: 'mann-whitney', tolerance: 0.1, minSamples: 10, autocorrelation: 'adjust', historyPeriods: 240 });
  });

  it.each(HOST_SCENARIOS.map(({ name }) => name))('the default method stays ≤ α (3 se) on identical hosts: %s', (name) => {
    const { spec, window } = scenario(name);
    expect(hostFailRate(RUNS, 3, gaugePolicy(), spec, window)).toBeLessThanOrEqual(bound);
  });

  it('finds a host 50 % busier when the hosts barely drift', () => {
    const quiet = { level: 40, drifts: [{ logSd: 0.03, minutes: 5 }], noise: 0.05, hostLogSd: 0.01 };
    expect(hostFailRate(RUNS, 4, mannWhitney, quiet, undefined, 1.5)).toBeGreaterThan(0.9);
  });

  it('measures how much windows of the history differ: ≈ 1 for independent minutes, far above under slow drift', () => {
    const random = createRandom(5);
    const independent = hostSeries(random, 240, { level: 40, drifts: [], noise: 0.05 }).map((period) => period.value);
    const drifting = hostSeries(random, 240, scenario('strong slow drift').spec).map((period) => period.value);
    expect(blockPairInflation(independent, 10)!.inflation).toBeGreaterThan(0.5);
    expect(blockPairInflation(independent, 10)!.inflation).toBeLessThan(1.6);
    expect(blockPairInflation(drifting, 10)!.inflation).toBeGreaterThan(3);
    expect(blockPairInflation(independent.slice(0, 50), 10)).toBeUndefined();
  });

  it('tells a window more correlated than its history, and says so in the reason', () => {
    const random = createRandom(6);
    const { spec, window } = scenario('window more correlated');
    let flagged = 0;
    for (let run = 0; run < 50; run++) {
      const observed = twoHosts(random, 240, 10, spec, window);
      if (windowMoreCorrelated(observed.baselineHistory.map((p) => p.value), observed.baseline.map((p) => p.value), observed.canary.map((p) => p.value))) flagged++;
    }
    expect(flagged).toBeGreaterThan(10);
    const observed = twoHosts(createRandom(7), 240, 10, HOST_LIKE);
    const result = judge(gaugePolicy(), { cpu: { kind: 'gauge', ...observed } }, { deadlineReached: true }).metrics[0];
    expect(result.reason).toMatch(/windows of the history differ ×[\d.]+ \(24 blocks\), variance ×[\d.]+/);
  });
});
