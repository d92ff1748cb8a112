import { countInRange, percentileFromBins, type AgentMinute, type LatencyBin, type SimulatedSeries, type VersionMinute } from './generate';
import type { TokenType } from './scenario';
import { isExpressionQuery, type MetricQuery, type MetricSeriesResult, type MetricSource, type MetricStatQuery, type TimeWindow } from '../evaluation/ports';

/** The simulated adapter of the `MetricSource` port (`lib/evaluation/ports`): CloudWatch `GetMetricData` answered from a generated series. */

const LAMBDA_NAMESPACE = 'AWS/Lambda';
const TOKEN_METRICS: Readonly<Record<string, TokenType>> = {
  InputTokenCount: 'input',
  OutputTokenCount: 'output',
  CacheReadInputTokenCount: 'cacheRead',
  CacheWriteInputTokenCount: 'cacheWrite',
};

/** Which simulated quantity a query reads. */
type Quantity = { kind: 'invocations' } | { kind: 'errors' } | { kind: 'duration' } | { kind: 'tokens'; type: TokenType } | { kind: 'agent'; value: keyof AgentMinute };

/** The agent metrics of scenarios with `baseline.agent`: one raw value per turn or edit (EMF), by `Version`. */
const AGENT_METRICS: Readonly<Record<string, keyof AgentMinute>> = {
  ReasoningTokensPerTurn: 'reasoningTokens',
  FilesReadBeforeEdit: 'filesRead',
};

/** A query resolved against the simulated world: the quantity and the versions it sums over. */
interface ResolvedQuery {
  readonly quantity: Quantity;
  readonly versions: readonly string[];
}

/**
 * Answers metric queries from a generated series as CloudWatch would at the virtual instant
 * `now()`: the datapoint of minute m becomes visible at the end of minute m + metricLagMinutes,
 * a version with no requests in a minute has no datapoint, and an unknown metric or dimension
 * set gives an empty series (recorded in `unmatchedQueries` to help find wiring mistakes).
 */
export class SimulatedMetricSource implements MetricSource {
  /** Ids of queries that matched no simulated series, in call order. */
  readonly unmatchedQueries: string[] = [];

  /** Each version's minutes, oldest first: before the deployment the baseline served everything, so its history answers too. */
  private readonly minutesOf: ReadonlyMap<string, readonly VersionMinute[]>;

  constructor(
    private readonly series: SimulatedSeries,
    private readonly now: () => Date,
  ) {
    this.minutesOf = new Map(
      Object.entries(series.versions).map(([version, minutes]) => [version, version === series.roles.baseline ? [...series.baselineHistory, ...minutes] : minutes]),
    );
  }

  async getMetricData(queries: readonly MetricQuery[], range: TimeWindow): Promise<MetricSeriesResult[]> {
    return this.answerNow(queries, range);
  }

  /** `getMetricData`'s answer without the promise, for synchronous harnesses (the detection benchmark). */
  answerNow(queries: readonly MetricQuery[], range: TimeWindow): MetricSeriesResult[] {
    return queries.map((query) => this.answer(query, range));
  }

  /** Epoch seconds at which the datapoint of `minute` becomes visible. */
  visibleAt(minute: number): number {
    return this.series.startEpochSeconds + (minute + 1 + this.series.metricLagMinutes) * 60;
  }

  private answer(query: MetricQuery, range: TimeWindow): MetricSeriesResult {
    if (!Number.isInteger(query.period) || query.period <= 0 || query.period % 60 !== 0) {
      throw new Error(`query ${query.id}: period ${query.period} is not supported; use a multiple of 60 seconds`);
    }
    if (isExpressionQuery(query)) {
      throw new Error(`query ${query.id}: metric-math expressions are not simulated ("${query.expression}"); simulate with MetricStat metrics`);
    }
    const resolved = this.resolve(query);
    if (!resolved) {
      this.unmatchedQueries.push(query.id);
      return { id: query.id, timestamps: [], values: [] };
    }
    const statistic = parseStatistic(query.stat, resolved.quantity, query.id);

    const nowSeconds = this.now().getTime() / 1000;
    const startSeconds = range.start.getTime() / 1000;
    const endSeconds = range.end.getTime() / 1000;
    // Group visible minutes into periods aligned on multiples of the period (as CloudWatch does).
    const periods = new Map<number, VersionMinute[]>();
    for (const version of resolved.versions) {
      for (const minute of this.minutesOf.get(version) ?? []) {
        if (minute.requests === 0 || this.visibleAt(minute.minute) > nowSeconds) continue;
        const periodStart = Math.floor(minute.t / query.period) * query.period;
        if (periodStart < startSeconds || periodStart >= endSeconds) continue;
        const group = periods.get(periodStart) ?? [];
        group.push(minute);
        periods.set(periodStart, group);
      }
    }
    const timestamps = [...periods.keys()].sort((a, b) => a - b);
    return { id: query.id, timestamps, values: timestamps.map((t) => statistic(periods.get(t)!)) };
  }

  /** Maps a namespace, metric and dimension set to a simulated quantity and its versions. */
  private resolve(query: MetricStatQuery): ResolvedQuery | undefined {
    const { target, roles } = this.series;
    const allVersions = [roles.baseline, roles.canary];
    const dimensions = query.dimensions;
    const keys = Object.keys(dimensions).sort().join(',');

    if (query.namespace === LAMBDA_NAMESPACE) {
      const quantity = lambdaQuantity(query.metricName);
      if (!quantity || dimensions.FunctionName !== target.functionName) return undefined;
      const aliasResource = `${target.functionName}:${target.alias}`;
      // The three series Lambda publishes for an alias; direct invocations of a version
      // (`Resource: <fn>:<n>`, smoke tests) are not simulated and stay empty.
      if (keys === 'FunctionName') return { quantity, versions: allVersions };
      if (keys === 'FunctionName,Resource' && dimensions.Resource === aliasResource) return { quantity, versions: allVersions };
      if (keys === 'ExecutedVersion,FunctionName,Resource' && dimensions.Resource === aliasResource && allVersions.includes(dimensions.ExecutedVersion)) {
        return { quantity, versions: [dimensions.ExecutedVersion] };
      }
      return undefined;
    }

    if (query.namespace === target.applicationNamespace && target.tokenMetrics === 'claude-code') return this.resolveClaudeCode(query, allVersions);
    if (query.namespace === target.applicationNamespace) {
      const tokenType = TOKEN_METRICS[query.metricName];
      const agentValue = AGENT_METRICS[query.metricName];
      const quantity: Quantity | undefined = tokenType
        ? { kind: 'tokens', type: tokenType }
        : query.metricName === 'Invocations'
          ? { kind: 'invocations' }
          : agentValue !== undefined && this.series.versions[roles.baseline].some((minute) => minute.agent?.[agentValue] !== undefined)
            ? { kind: 'agent', value: agentValue }
            : undefined;
      if (!quantity) return undefined;
      // Published with dimension sets {Version} and {Version, ModelId} (EMF), and {} for the total.
      if (keys === '') return { quantity, versions: allVersions };
      if (keys !== 'Version' && keys !== 'ModelId,Version') return undefined;
      if (dimensions.ModelId !== undefined && dimensions.ModelId !== this.series.modelId) return undefined;
      if (!allVersions.includes(dimensions.Version)) return undefined;
      return { quantity, versions: [dimensions.Version] };
    }
    return undefined;
  }

  /**
   * Claude Code's metrics as the awsemf exporter writes them with the dimension sets docs/cost.md gives:
   * tokens by {model, pipeline.version, type}, sessions (one per request here) by {pipeline.version}.
   */
  private resolveClaudeCode(query: MetricStatQuery, allVersions: readonly string[]): ResolvedQuery | undefined {
    const dimensions = query.dimensions;
    const keys = Object.keys(dimensions).sort().join(',');
    const version = dimensions['pipeline.version'];
    if (!allVersions.includes(version)) return undefined;
    if (query.metricName === 'claude_code.session.count' && keys === 'pipeline.version') return { quantity: { kind: 'invocations' }, versions: [version] };
    const tokenType = CLAUDE_CODE_TOKEN_TYPES[dimensions.type];
    if (query.metricName !== 'claude_code.token.usage' || keys !== 'model,pipeline.version,type' || !tokenType || dimensions.model !== this.series.modelId) return undefined;
    return { quantity: { kind: 'tokens', type: tokenType }, versions: [version] };
  }
}

/** Claude Code's `type` attribute values (Claude Code docs, "Monitoring") and the simulated token types. */
const CLAUDE_CODE_TOKEN_TYPES: Readonly<Record<string, TokenType>> = { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheCreation: 'cacheWrite' };

function lambdaQuantity(metricName: string): Quantity | undefined {
  if (metricName === 'Invocations') return { kind: 'invocations' };
  if (metricName === 'Errors') return { kind: 'errors' };
  if (metricName === 'Duration') return { kind: 'duration' };
  return undefined;
}

/** A statistic computed over the minutes (of one or two versions) that fall in one period. */
type Statistic = (minutes: readonly VersionMinute[]) => number;

const sum = (minutes: readonly VersionMinute[], pick: (minute: VersionMinute) => number) => minutes.reduce((total, minute) => total + pick(minute), 0);
const requestsOf = (minutes: readonly VersionMinute[]) => sum(minutes, (minute) => minute.requests);
const binsOf = (minutes: readonly VersionMinute[]) => mergeBins(minutes.flatMap((minute) => minute.latency?.bins ?? []));

const PERCENTILE = /^p(\d{1,2}(?:\.\d+)?)$/;
const RANGE_STAT = /^(TC|PR)\(([^:()]*):([^:()]*)\)$/;

/** Parses a statistic for a quantity; unsupported combinations are a caller bug and throw. */
function parseStatistic(stat: string, quantity: Quantity, queryId: string): Statistic {
  const unsupported = () => new Error(`query ${queryId}: statistic "${stat}" is not supported for ${describe(quantity)} by the simulator`);

  if (quantity.kind === 'invocations' || quantity.kind === 'errors') {
    if (stat !== 'Sum') throw unsupported();
    return quantity.kind === 'invocations' ? requestsOf : (minutes) => sum(minutes, (minute) => minute.errors);
  }

  if (quantity.kind === 'agent') {
    // The agent publishes every turn's value (EMF), so every statistic is read from the values' histogram.
    const agentBins = (minutes: readonly VersionMinute[]) => mergeBins(minutes.flatMap((minute) => minute.agent?.[quantity.value] ?? []));
    const statistic = histogramStatistic(stat, agentBins);
    if (!statistic) throw unsupported();
    return statistic;
  }

  if (quantity.kind === 'tokens') {
    const tokens = (minutes: readonly VersionMinute[]) => sum(minutes, (minute) => minute.tokens[quantity.type]);
    // EMF publishes one value per request, so SampleCount is the request count.
    if (stat === 'Sum') return tokens;
    if (stat === 'SampleCount') return requestsOf;
    if (stat === 'Average') return (minutes) => tokens(minutes) / requestsOf(minutes);
    throw unsupported();
  }

  // Duration: every statistic is read from the latency histogram (an approximation inside bins).
  const statistic = histogramStatistic(stat, binsOf);
  if (!statistic) throw unsupported();
  return statistic;
}

/**
 * A statistic of raw values held as a histogram (exact where the bounds are bin edges, linear inside a
 * bin otherwise), or undefined for one the simulator does not model. Range statistics follow the
 * CloudWatch User Guide, "CloudWatch statistics definitions": `TC(a:b)` is the number of values in the
 * range and `PR(a:b)` their percentage, the lower end exclusive and the upper inclusive (`TC(:400)` counts
 * values ≤ 400).
 */
function histogramStatistic(stat: string, binsOf: (minutes: readonly VersionMinute[]) => LatencyBin[]): Statistic | undefined {
  const countOf = (bins: readonly LatencyBin[]) => bins.reduce((total, bin) => total + bin.count, 0);
  if (stat === 'SampleCount') return (minutes) => countOf(binsOf(minutes));
  if (stat === 'Average') return (minutes) => histogramMean(binsOf(minutes));
  if (stat === 'Sum') return (minutes) => histogramMean(binsOf(minutes)) * countOf(binsOf(minutes));
  if (stat === 'Minimum') return (minutes) => percentileFromBins(binsOf(minutes), 0);
  if (stat === 'Maximum') return (minutes) => percentileFromBins(binsOf(minutes), 100);
  const percentile = PERCENTILE.exec(stat);
  if (percentile) return (minutes) => percentileFromBins(binsOf(minutes), Number(percentile[1]));
  const range = RANGE_STAT.exec(stat);
  if (!range) return undefined;
  const [, kind, lowText, highText] = range;
  if (lowText.includes('%') || highText.includes('%')) return undefined;
  const low = lowText === '' ? -Infinity : Number(lowText);
  const high = highText === '' ? Infinity : Number(highText);
  if (Number.isNaN(low) || Number.isNaN(high) || low >= high) return undefined;
  if (kind === 'TC') return (minutes) => countInRange(binsOf(minutes), low, high);
  return (minutes) => {
    const bins = binsOf(minutes);
    return (100 * countInRange(bins, low, high)) / countOf(bins);
  };
}

function describe(quantity: Quantity): string {
  return quantity.kind === 'tokens' ? `${quantity.type} tokens` : quantity.kind === 'agent' ? `agent values (${quantity.value})` : quantity.kind;
}

/** Bins of several minutes (same edges) merged into one ascending histogram. */
function mergeBins(bins: readonly LatencyBin[]): LatencyBin[] {
  const byLow = new Map<number, LatencyBin>();
  for (const bin of bins) {
    const existing = byLow.get(bin.lowMs);
    byLow.set(bin.lowMs, existing ? { ...existing, count: existing.count + bin.count } : bin);
  }
  return [...byLow.values()].sort((a, b) => a.lowMs - b.lowMs);
}

/** Mean latency, taking each bin at its midpoint (the open top bin at its lower edge). */
function histogramMean(bins: readonly LatencyBin[]): number {
  let total = 0;
  let count = 0;
  for (const bin of bins) {
    const middle = Number.isFinite(bin.highMs) ? (bin.lowMs + bin.highMs) / 2 : bin.lowMs;
    total += middle * bin.count;
    count += bin.count;
  }
  return total / count;
}

