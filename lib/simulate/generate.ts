import { Random, Z_99, normalCdf } from './random';
import {
  BASELINE_VERSION,
  CANARY_VERSION,
  canaryShareAt,
  isActive,
  type Scenario,
  type TokenType,
} from './scenario';

// Local bindings: inside Jest's vm context every `Math.x` is a slow global lookup, and these
// functions run millions of times per scenario.
const { cos, exp, log, max, min, round } = Math;

/**
 * Turns a scenario into per-minute, per-version series: what CloudWatch would hold after the
 * deployment. Requests are never simulated one by one: counts are drawn from their exact
 * distributions (Poisson, binomial, gamma-Poisson), and latency is drawn as a histogram
 * (multinomial over fixed bins), so a 60-minute scenario at thousands of requests per minute
 * takes milliseconds and every count has the variance a real count would have.
 */

/** One latency histogram bin: `count` requests with latency in (lowMs, highMs]. */
export interface LatencyBin {
  readonly lowMs: number;
  readonly highMs: number;
  readonly count: number;
}

export interface LatencySummary {
  /** Requests measured (= requests: Lambda reports a Duration for every invocation). */
  readonly sampleCount: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** Non-empty bins, ascending. Other statistics (TC, PR, pNN) are read from these. */
  readonly bins: readonly LatencyBin[];
}

export type TokenCounts = Readonly<Record<TokenType, number>>;

/**
 * Histograms of an agent's per-turn values over one minute, one value per request, in the bins' own unit
 * (the `LatencyBin` fields say ms; here they hold tokens or files): CloudWatch's percentiles, `TC`, `PR`
 * and `SampleCount` of the raw values the agent publishes are read from them.
 */
export interface AgentMinute {
  /** Reasoning tokens of each turn (`ReasoningTokensPerTurn`). */
  readonly reasoningTokens?: readonly LatencyBin[];
  /** Files read before each edit (`FilesReadBeforeEdit`): whole numbers, value k in the bin (k − 1, k]. */
  readonly filesRead?: readonly LatencyBin[];
}

/** What the simulator knows but a real deployment would not: the true parameters of a minute. */
export interface MinuteTruth {
  /** Failure probability of a request this minute (after regressions, incidents and bursts). */
  readonly errorRate: number;
  /** Probability that a request is slower than `slowThresholdMs`. */
  readonly slowProbability: number;
  /** Mean tokens per request, by type. */
  readonly tokensPerRequest: TokenCounts;
}

/** One version during one minute. */
export interface VersionMinute {
  /** Minute since the deployment start. */
  readonly minute: number;
  /** Start of the minute, epoch seconds. */
  readonly t: number;
  readonly requests: number;
  readonly errors: number;
  /** Requests slower than `slowThresholdMs` (exact, equal to `TC(slowThresholdMs:)`). */
  readonly slowRequests: number;
  /** Absent when the version had no requests this minute. */
  readonly latency: LatencySummary | undefined;
  /** Tokens summed over the minute's requests, by type. */
  readonly tokens: TokenCounts;
  /** The agent's per-turn values this minute (scenarios with `baseline.agent`), absent without requests. */
  readonly agent?: AgentMinute;
  readonly truth: MinuteTruth;
}

export interface SimulatedSeries {
  readonly scenarioName: string;
  readonly seed: number;
  /** Deployment start, epoch seconds (minute 0). */
  readonly startEpochSeconds: number;
  readonly durationMinutes: number;
  readonly metricLagMinutes: number;
  readonly slowThresholdMs: number;
  readonly target: Scenario['target'];
  readonly modelId: string;
  /** Which version plays which role: baseline "1", canary "2". */
  readonly roles: { readonly baseline: string; readonly canary: string };
  /** The schedule's canary share (0..1) per minute. */
  readonly canaryShare: readonly number[];
  /** Per version ("1", "2"), one entry per minute, including minutes with no requests. */
  readonly versions: Readonly<Record<string, readonly VersionMinute[]>>;
  /**
   * The baseline version's minutes before the deployment (negative `minute`, oldest first), when it
   * served all the traffic: the history a gauge's autocorrelation estimate reads.
   */
  readonly baselineHistory: readonly VersionMinute[];
}

/**
 * Minutes of baseline history simulated before the deployment: what the default `historyPeriods` of
 * a Mann–Whitney gauge reads at one-minute periods (lib/policy/metric.ts).
 */
export const SIMULATED_HISTORY_MINUTES = 240;

const TOKEN_TYPES: readonly TokenType[] = ['input', 'output', 'cacheRead', 'cacheWrite'];

/**
 * Upper edges of the latency bins, in ms: fine where latencies usually are, and on round numbers
 * so a policy threshold such as 800 ms or 2.5 s falls on an edge and its slow count is exact.
 */
function standardEdges(): number[] {
  const edges: number[] = [];
  const addRange = (from: number, to: number, step: number) => {
    for (let edge = from; edge <= to; edge += step) edges.push(edge);
  };
  addRange(1, 100, 1);
  addRange(105, 1000, 5);
  addRange(1025, 5000, 25);
  addRange(5100, 30000, 100);
  addRange(31000, 900000, 1000);
  return edges;
}
const STANDARD_EDGES = standardEdges();

/** The bin edges of a scenario: the standard grid plus the slow threshold, so `slowRequests` is exact. */
function edgesFor(slowThresholdMs: number): number[] {
  if (STANDARD_EDGES.includes(slowThresholdMs)) return STANDARD_EDGES;
  return [...STANDARD_EDGES, slowThresholdMs].sort((a, b) => a - b);
}

/** Latency of one request: scale · LogNormal(mu, sigma) + shiftMs. */
interface LatencyModel {
  readonly mu: number;
  readonly sigma: number;
  readonly scale: number;
  readonly shiftMs: number;
}

function latencyCdf(model: LatencyModel, ms: number): number {
  if (ms <= model.shiftMs) return 0;
  return normalCdf((log((ms - model.shiftMs) / model.scale) - model.mu) / model.sigma);
}

/** Smallest latency with CDF >= q (for skipping bins that cannot hold a request). */
function latencyQuantile(model: LatencyModel, zScore: number): number {
  return model.scale * exp(model.mu + model.sigma * zScore) + model.shiftMs;
}

/** Draws the histogram of `requests` latencies: a multinomial over the bins, bin by bin. */
function drawLatencyBins(random: Random, model: LatencyModel, requests: number, edges: readonly number[]): LatencyBin[] {
  const bins: LatencyBin[] = [];
  // Start at the bin holding the 1e-12 quantile (z ≈ -7.03): the mass below is negligible and
  // counted in that first bin.
  const lowest = latencyQuantile(model, -7.03);
  let index = lowerBound(edges, lowest);
  let remaining = requests;
  let cdfBelow = 0;
  while (remaining > 0 && index < edges.length) {
    const cdf = latencyCdf(model, edges[index]);
    const massLeft = 1 - cdfBelow;
    const p = massLeft <= 0 ? 1 : min(1, max(0, (cdf - cdfBelow) / massLeft));
    const count = random.binomial(remaining, p);
    if (count > 0) bins.push({ lowMs: index === 0 ? 0 : edges[index - 1], highMs: edges[index], count });
    remaining -= count;
    cdfBelow = cdf;
    index += 1;
  }
  if (remaining > 0) bins.push({ lowMs: edges[edges.length - 1], highMs: Infinity, count: remaining });
  return bins;
}

/** Draws `count` Poisson(mean) values as a histogram over whole numbers: value k in the bin (k − 1, k]. */
function drawPoissonBins(random: Random, mean: number, count: number): LatencyBin[] {
  const bins: LatencyBin[] = [];
  let remaining = count;
  let pmf = exp(-mean);
  let cdfBelow = 0;
  for (let k = 0; remaining > 0; k += 1) {
    const massLeft = 1 - cdfBelow;
    // Past the representable tail every remaining value takes this one.
    const p = massLeft <= 1e-15 ? 1 : min(1, pmf / massLeft);
    const drawn = random.binomial(remaining, p);
    if (drawn > 0) bins.push({ lowMs: k - 1, highMs: k, count: drawn });
    remaining -= drawn;
    cdfBelow += pmf;
    pmf *= mean / (k + 1);
  }
  return bins;
}

/** Index of the first edge >= value. */
function lowerBound(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The pNN of a histogram, interpolating linearly inside the bin that holds the rank (CloudWatch
 * also estimates percentiles from a bucketed representation).
 */
export function percentileFromBins(bins: readonly LatencyBin[], percentile: number): number {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return NaN;
  const rank = (percentile / 100) * total;
  let below = 0;
  for (const bin of bins) {
    if (below + bin.count >= rank) {
      if (!Number.isFinite(bin.highMs)) return bin.lowMs;
      const fraction = bin.count === 0 ? 0 : max(0, rank - below) / bin.count;
      return bin.lowMs + fraction * (bin.highMs - bin.lowMs);
    }
    below += bin.count;
  }
  const last = bins[bins.length - 1];
  return Number.isFinite(last.highMs) ? last.highMs : last.lowMs;
}

/**
 * Requests with latency in (lowMs, highMs]. Exact when both bounds are bin edges; otherwise the
 * partial bin is split linearly (an approximation).
 */
export function countInRange(bins: readonly LatencyBin[], lowMs: number, highMs: number): number {
  let count = 0;
  for (const bin of bins) {
    const overlapLow = max(bin.lowMs, lowMs);
    const overlapHigh = min(bin.highMs, highMs);
    if (overlapHigh <= overlapLow) continue;
    if (overlapLow === bin.lowMs && overlapHigh === bin.highMs) count += bin.count;
    else if (Number.isFinite(bin.highMs)) count += (bin.count * (overlapHigh - overlapLow)) / (bin.highMs - bin.lowMs);
    // An open-ended top bin cut by a finite bound: no width to split by; count it on the open side.
    else if (!Number.isFinite(highMs)) count += bin.count;
  }
  return count;
}

/** The daily multiplier of the request rate at an instant. */
function dailyFactor(scenario: Scenario, epochSeconds: number): number {
  const daily = scenario.traffic.daily;
  if (!daily) return 1;
  const hour = (epochSeconds / 3600) % 24;
  return 1 + daily.amplitude * cos((2 * Math.PI * (hour - daily.peakHourUtc)) / 24);
}

/**
 * The baseline alone over `minutes` before the scenario's start: the same traffic and baseline, no
 * canary, no regressions or incidents, from a seed of its own (so that the deployment's draws are
 * the same with or without history).
 */
function baselineHistory(scenario: Scenario, minutes: number): VersionMinute[] {
  if (minutes === 0) return [];
  const before: Scenario = {
    ...scenario,
    seed: (scenario.seed ^ 0x5bd1e995) >>> 0,
    startTime: new Date(Date.parse(scenario.startTime) - minutes * 60_000).toISOString(),
    durationMinutes: minutes,
    schedule: { type: 'canary', percent: 0, minutes },
    regressions: [],
    burstiness: { ...scenario.burstiness, incidents: [] },
  };
  return generateSeries(before, { historyMinutes: 0 }).versions[BASELINE_VERSION].map((minute) => ({ ...minute, minute: minute.minute - minutes }));
}

/** Deterministic: the same scenario (and seed) gives a deep-equal result. */
export function generateSeries(scenario: Scenario, options: { readonly historyMinutes?: number } = {}): SimulatedSeries {
  const startEpochSeconds = Date.parse(scenario.startTime) / 1000;
  const edges = edgesFor(scenario.slowThresholdMs);
  const { baseline, burstiness } = scenario;
  const baseMu = log(baseline.latency.medianMs);
  const baseSigma = log(baseline.latency.p99Ms / baseline.latency.medianMs) / Z_99;

  // One stream per purpose and version: changing the canary cannot move a baseline draw.
  const seed = scenario.seed;
  const trafficRandom = Random.seeded(seed, 'traffic');
  const sharedBurstRandom = Random.seeded(seed, 'burst');
  const versionStreams = (version: string) => ({
    burst: Random.seeded(seed, `burst-${version}`),
    errors: Random.seeded(seed, `errors-${version}`),
    latency: Random.seeded(seed, `latency-${version}`),
    tokens: Random.seeded(seed, `tokens-${version}`),
    agent: Random.seeded(seed, `agent-${version}`),
    filesRead: Random.seeded(seed, `files-read-${version}`),
  });
  const streams: Record<string, ReturnType<typeof versionStreams>> = { [BASELINE_VERSION]: versionStreams(BASELINE_VERSION), [CANARY_VERSION]: versionStreams(CANARY_VERSION) };

  const drawBurst = (random: Random) =>
    burstiness.overdispersion > 0 ? random.gamma(1 / burstiness.overdispersion, burstiness.overdispersion) : 1;

  const canaryShare: number[] = [];
  const versions: Record<string, VersionMinute[]> = { [BASELINE_VERSION]: [], [CANARY_VERSION]: [] };

  for (let minute = 0; minute < scenario.durationMinutes; minute += 1) {
    const t = startEpochSeconds + minute * 60;
    const share = canaryShareAt(scenario.schedule, minute);
    canaryShare.push(share);

    const totalRequests = trafficRandom.poisson(scenario.traffic.requestsPerMinute * dailyFactor(scenario, t + 30));
    const canaryRequests = trafficRandom.binomial(totalRequests, share);
    const requestsByVersion: Record<string, number> = { [BASELINE_VERSION]: totalRequests - canaryRequests, [CANARY_VERSION]: canaryRequests };

    const activeIncidents = burstiness.incidents.filter((incident) => minute >= incident.fromMinute && minute < incident.fromMinute + incident.minutes);
    const incidentErrorFactor = activeIncidents.reduce((product, incident) => product * incident.errorRateFactor, 1);
    const incidentLatencyFactor = activeIncidents.reduce((product, incident) => product * incident.latencyFactor, 1);
    // Drawn every minute, used or not, so the stream stays aligned across scenario variants.
    const sharedBurst = drawBurst(sharedBurstRandom);

    for (const version of [BASELINE_VERSION, CANARY_VERSION]) {
      const random = streams[version];
      const requests = requestsByVersion[version];
      const ownBurst = drawBurst(random.burst);
      const burst = burstiness.overdispersionScope === 'shared' ? sharedBurst : ownBurst;
      const regressions = version === CANARY_VERSION ? scenario.regressions.filter((regression) => isActive(regression, minute)) : [];

      // Errors.
      let errorFactor = incidentErrorFactor * burst;
      for (const regression of regressions) if (regression.metric === 'errors') errorFactor *= regression.factor;
      const errorRate = min(1, baseline.errorRate * errorFactor);
      const errors = random.errors.binomial(requests, errorRate);

      // Latency.
      let latencyScale = incidentLatencyFactor;
      let shiftMs = 0;
      let sigma = baseSigma;
      for (const regression of regressions) {
        if (regression.metric !== 'latency') continue;
        if (regression.factor !== undefined) latencyScale *= regression.factor;
        if (regression.addedMs !== undefined) shiftMs += regression.addedMs;
        if (regression.p99AddedMs !== undefined) {
          const p99 = exp(baseMu + sigma * Z_99) + regression.p99AddedMs;
          sigma = log(p99 / baseline.latency.medianMs) / Z_99;
        }
      }
      const model: LatencyModel = { mu: baseMu, sigma, scale: latencyScale, shiftMs };
      const bins = requests > 0 ? drawLatencyBins(random.latency, model, requests, edges) : [];
      const slowRequests = countInRange(bins, scenario.slowThresholdMs, Infinity);
      const latency: LatencySummary | undefined =
        requests > 0
          ? {
              sampleCount: requests,
              p50: percentileFromBins(bins, 50),
              p90: percentileFromBins(bins, 90),
              p99: percentileFromBins(bins, 99),
              bins,
            }
          : undefined;

      // Tokens: the sum of n gamma(shape k, scale θ) requests is gamma(n·k, θ), mean n·mean.
      const tokensPerRequest = {} as Record<TokenType, number>;
      const tokens = {} as Record<TokenType, number>;
      const shape = 1 / (baseline.tokens.cv * baseline.tokens.cv);
      for (const type of TOKEN_TYPES) {
        let mean = baseline.tokens[type];
        for (const regression of regressions) {
          if (regression.metric === 'tokens' && regression.tokenTypes.includes(type)) mean *= regression.factor;
        }
        tokensPerRequest[type] = mean;
      }
      // A cache miss sends cached prompt tokens uncached: the same tokens, billed as input.
      for (const regression of regressions) {
        if (regression.metric !== 'cache-miss') continue;
        const missed = tokensPerRequest.cacheRead * regression.missFraction;
        tokensPerRequest.cacheRead -= missed;
        tokensPerRequest.input += missed;
      }
      for (const type of TOKEN_TYPES) {
        const mean = tokensPerRequest[type];
        tokens[type] = requests > 0 && mean > 0 ? round(random.tokens.gamma(requests * shape, mean / shape)) : 0;
      }

      // Agent behaviour: every turn's value, drawn as a histogram (the same multinomial as latency).
      let agent: AgentMinute | undefined;
      if (baseline.agent && requests > 0) {
        const { reasoningTokensPerTurn, sigma, filesReadBeforeEdit } = baseline.agent;
        const factorOf = (metric: 'reasoning' | 'files-read') =>
          regressions.reduce((product, regression) => (regression.metric === metric ? product * regression.factor : product), 1);
        agent = {
          ...(reasoningTokensPerTurn !== undefined && {
            reasoningTokens: drawLatencyBins(random.agent, { mu: log(reasoningTokensPerTurn * factorOf('reasoning')), sigma, scale: 1, shiftMs: 0 }, requests, STANDARD_EDGES),
          }),
          ...(filesReadBeforeEdit !== undefined && { filesRead: drawPoissonBins(random.filesRead, filesReadBeforeEdit * factorOf('files-read'), requests) }),
        };
      }

      versions[version].push({
        minute,
        t,
        requests,
        errors,
        slowRequests,
        latency,
        tokens,
        ...(agent !== undefined && { agent }),
        truth: { errorRate, slowProbability: 1 - latencyCdf(model, scenario.slowThresholdMs), tokensPerRequest },
      });
    }
  }

  return {
    scenarioName: scenario.name,
    seed: scenario.seed,
    startEpochSeconds,
    durationMinutes: scenario.durationMinutes,
    metricLagMinutes: scenario.metricLagMinutes,
    slowThresholdMs: scenario.slowThresholdMs,
    target: scenario.target,
    modelId: baseline.modelId,
    roles: { baseline: BASELINE_VERSION, canary: CANARY_VERSION },
    canaryShare,
    versions,
    baselineHistory: baselineHistory(scenario, options.historyMinutes ?? SIMULATED_HISTORY_MINUTES),
  };
}
