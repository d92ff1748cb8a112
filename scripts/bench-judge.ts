/**
 * Judge benchmark: speed (50 metrics × 120 periods per call) and, by seeded simulation, the
 * false-fail rate on A/A streams and the detection rate of a ×2 regression.
 * Run: npm run bench:judge [-- --runs 2000]
 */
import { judge, type CountPeriod, type Observations } from '../lib/judge';
import { createRandom, type Random } from '../lib/judge/random';
import { parsePolicy, type Policy } from '../lib/policy';

const runsArgument = process.argv.indexOf('--runs');
const RUNS = runsArgument > 0 ? Number(process.argv[runsArgument + 1]) : 2000;

interface Stream {
  baseline: CountPeriod[];
  canary: CountPeriod[];
}

function simulate(random: Random, periods: number, requests: number, share: (i: number) => number, errorRate: number, ratio = 1, burstLogSd = 0): Stream {
  const stream: Stream = { baseline: [], canary: [] };
  for (let i = 0; i < periods; i++) {
    const burst = burstLogSd ? Math.exp(burstLogSd * random.normal()) : 1;
    const canaryTotal = random.poisson(requests * share(i));
    const baselineTotal = random.poisson(requests * (1 - share(i)));
    const t = 1_767_225_600 + 60 * i;
    stream.canary.push({ t, total: canaryTotal, count: Math.min(canaryTotal, random.poisson(canaryTotal * errorRate * burst * ratio)) });
    stream.baseline.push({ t, total: baselineTotal, count: Math.min(baselineTotal, random.poisson(baselineTotal * errorRate * burst)) });
  }
  return stream;
}

function countPolicy(metrics: number, method: object, alpha = 0.01): Policy {
  return parsePolicy({
    alpha,
    metrics: Array.from({ length: metrics }, (_, i) => ({
      name: `m${i}`,
      kind: 'count',
      count: { namespace: 'App', metricName: `Errors${i}` },
      total: { namespace: 'App', metricName: 'Requests' },
      versioning: { type: 'dimension', dimension: 'Version' },
      method,
    })),
  });
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function timeCalls(policy: Policy, observations: Observations, calls: number): number[] {
  for (let i = 0; i < 20; i++) judge(policy, observations); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    judge(policy, observations);
    times.push(performance.now() - start);
  }
  return times;
}

function speed(): void {
  const random = createRandom(2024);
  const observations: Observations = Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`m${i}`, { kind: 'count' as const, ...simulate(random, 120, 1000, () => 0.1, 0.002 + 0.0004 * i) }]),
  );
  const sequential = timeCalls(countPolicy(50, { type: 'sequential' }), observations, 300);
  const threshold = timeCalls(countPolicy(50, { type: 'threshold', maxRatioToBaseline: 2 }), observations, 300);
  const total = sequential.reduce((sum, t) => sum + t, 0);
  console.log('speed: 50 count metrics × 120 periods per judge call (1,000 req/min, 10 % canary, 0.2–2.2 % errors)');
  console.log(`  sequential: median ${medianOf(sequential).toFixed(3)} ms/call, ${(1000 / (total / sequential.length)).toFixed(0)} calls/s`);
  console.log(`  threshold (baseline, same data): median ${medianOf(threshold).toFixed(3)} ms/call`);
  console.log(`  ratio sequential / threshold: ${(medianOf(sequential) / medianOf(threshold)).toFixed(2)}×`);
}

/** Share of runs the judge fails; one call on the whole stream checks every period (the decision is the first crossing). */
function failRate(name: string, runs: number, alpha: number, make: (random: Random) => Stream, seed: number): void {
  const random = createRandom(seed);
  const policy = countPolicy(1, { type: 'sequential' }, alpha);
  let failures = 0;
  const periodsToFail: number[] = [];
  for (let run = 0; run < runs; run++) {
    const stream = make(random);
    const verdict = judge(policy, { m0: { kind: 'count', ...stream } });
    if (verdict.decision === 'fail') {
      failures++;
      const match = /after (\d+) periods/.exec(verdict.metrics[0].reason);
      if (match) periodsToFail.push(Number(match[1]));
    }
  }
  const rate = failures / runs;
  const se = Math.sqrt((rate * (1 - rate)) / runs);
  const detect = periodsToFail.length > 0 ? `, median time to fail ${medianOf(periodsToFail)} periods` : '';
  console.log(`  ${name}: ${(rate * 100).toFixed(2)} % ± ${(se * 100).toFixed(2)} (α = ${alpha}, ${runs} runs)${detect}`);
}

const started = performance.now();
speed();
console.log('validity: A/A false-fail rate, checked after every period (must be ≤ α)');
failRate('Poisson, 10 % canary, 30 periods', RUNS, 0.01, (r) => simulate(r, 30, 1000, () => 0.1, 0.01), 1);
failRate('common-mode bursts (log-sd 1), 20 % canary', RUNS, 0.01, (r) => simulate(r, 30, 1000, () => 0.2, 0.01, 1, 1), 2);
failRate('canary share 10 % → 100 %', RUNS, 0.01, (r) => simulate(r, 30, 1000, (i) => Math.min(1, 0.1 + 0.04 * i), 0.02), 3);
failRate('Poisson at α = 0.05 (a looser check of the bound)', RUNS, 0.05, (r) => simulate(r, 60, 1000, () => 0.1, 0.01), 4);
console.log('power: detection of a ×2 error rate (1,000 req/min, 10 % canary, 1 % errors, 30 periods)');
failRate('×2 regression', Math.min(RUNS, 1000), 0.01, (r) => simulate(r, 30, 1000, () => 0.1, 0.01, 2), 5);
failRate('×1.5 regression', Math.min(RUNS, 1000), 0.01, (r) => simulate(r, 30, 1000, () => 0.1, 0.01, 1.5), 6);
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
