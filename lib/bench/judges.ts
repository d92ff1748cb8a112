import { judge, mannWhitney, type CountPeriod, type Observations, type TokensPeriod } from '../judge';
import { costOf } from '../judge/cost';
import { parsePolicy, resolvePrices, type Policy, type TokenPrices } from '../policy';
import type { SimulatedSeries } from '../simulate/generate';
import type { Scenario } from '../simulate/scenario';
import type { AgentBench } from './agent-behaviour';
import type { BenchMetric } from './observe';

export type LookDecision = 'fail' | 'pass' | 'continue';

/** One look at the canary window: what is visible after `minutes` complete minutes. */
export interface Look {
  readonly minutes: number;
  /** Length of the canary window: the last look. */
  readonly horizon: number;
  readonly observations: Observations;
}

/** A judge under benchmark: created per run (it may keep state between looks), asked every minute. */
export interface BenchJudge {
  readonly name: string;
  readonly description: string;
  /** Whether it reads metrics every minute (costs GetMetricData every minute) or once at the horizon. */
  readonly looksEveryMinute: boolean;
  /** Whether the judge can see the scenario's regression at all (the oracle reads counts only). */
  appliesTo(scenario: Scenario): boolean;
  /**
   * `agent`: the scenario's agent-behaviour metrics, when it publishes them (they are then in every look's observations);
   * `scenario`: what was generated (canary-evaluator's judge reads its `budget`).
   */
  start(series: SimulatedSeries, agent?: AgentBench, scenario?: Scenario): (look: Look) => LookDecision;
}

/** The false-alarm budget of a whole evaluation, for every judge that has one. */
export const BENCH_ALPHA = 0.01;
/** Bonferroni over the metrics a look observes (3, or 4–5 with an agent's behaviour metrics). */
const alphaPerMetric = (observations: Observations) => BENCH_ALPHA / Object.keys(observations).length;

/** Per-minute values a fixed-horizon or threshold judge compares: rates, or USD per request. */
function perMinuteValues(observations: Observations, metric: string, arm: 'baseline' | 'canary', modelId: string): number[] {
  const observed = observations[metric];
  if (observed.kind === 'count') return (observed[arm] as readonly CountPeriod[]).map((p) => p.count / p.total);
  if (observed.kind === 'tokens') {
    const prices = pricesOf(modelId);
    return (observed[arm] as readonly TokensPeriod[]).map((p) => costOf(p, prices) / p.requests);
  }
  throw new Error(`bench metric ${metric} has unexpected kind ${observed.kind}`);
}

/** A model the price catalog knows, so benchmark policies validate. */
const FALLBACK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

function pricesOf(modelId: string): TokenPrices {
  const prices = resolvePrices(modelId);
  if (!prices) throw new Error(`bench: model "${modelId}" is not in the price catalog`);
  return prices;
}

/** The scenario's model when the catalog prices it, else a priced stand-in. */
function pricedModel(series: SimulatedSeries): string {
  return resolvePrices(series.modelId) ? series.modelId : FALLBACK_MODEL;
}

/** The baseline's normal level of each metric: what an operator setting a static alarm would know. */
function normalLevels(series: SimulatedSeries, modelId: string): Record<BenchMetric, number> {
  const rows = series.versions[series.roles.baseline];
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
  const prices = pricesOf(modelId);
  return {
    errors: median(rows.map((r) => r.truth.errorRate)),
    'slow-requests': median(rows.map((r) => r.truth.slowProbability)),
    cost: median(rows.map((r) => costOf({ t: 0, requests: 1, ...r.truth.tokensPerRequest }, prices))),
  };
}

/**
 * The judged policy: errors, slow requests and cost, and the agent's behaviour metrics (presets, as
 * written) each with `agentMethod(name)`, left out where that is undefined; with the scenario's `budget`.
 */
function policyFor(modelId: string, methods: Record<BenchMetric, object>, agent?: AgentBench, agentMethod?: (name: string) => object | undefined, budget?: Scenario['budget']): Policy {
  const stat = { namespace: 'Bench', metricName: 'm' };
  // The bench hands the judge its observations by metric name; the sources only need to be valid (and a count's events apart from its requests).
  const requests = { namespace: 'Bench', metricName: 'requests' };
  const versioning = { type: 'dimension', dimension: 'Version' };
  return parsePolicy({
    alpha: BENCH_ALPHA,
    metrics: [
      { name: 'errors', kind: 'count', count: stat, total: requests, versioning, method: methods.errors },
      { name: 'slow-requests', kind: 'count', count: stat, total: requests, versioning, method: methods['slow-requests'] },
      { name: 'cost', kind: 'cost', model: modelId, requests: stat, tokens: { input: stat, output: stat }, versioning, method: methods.cost },
      ...Object.entries(agent?.metrics ?? {}).flatMap(([name, metric]) => {
        const method = agentMethod?.(name);
        return method ? [{ ...metric, method }] : [];
      }),
    ],
    ...(budget && { budget }),
  });
}

/**
 * CodeDeploy-alarm style: a static bound on the canary's own per-minute value (`multiplier` × the
 * normal level), 3 consecutive minutes over it fail the deployment. Blind to what the baseline does at
 * the same time, so shared incidents and low traffic trip it unless the bound is set high.
 */
export function thresholdAlarm(multiplier = 2, label = 'threshold alarm'): BenchJudge {
  return {
    name: `${label} (×${multiplier})`,
    description: `static bound at ${multiplier}× the normal error rate, slow-request rate, cost per request and share of short turns / under-informed edits, 3 consecutive minutes`,
    looksEveryMinute: true,
    appliesTo: () => true,
    start(series, agent) {
      const modelId = pricedModel(series);
      const normal = normalLevels(series, modelId);
      const threshold = (max: number) => ({ type: 'threshold', max, failureLimit: 3, failureCounting: 'consecutive' });
      const policy = policyFor(
        modelId,
        {
          errors: threshold(multiplier * normal.errors),
          'slow-requests': threshold(multiplier * normal['slow-requests']),
          cost: { type: 'cost' },
        },
        agent,
        // A bound at or above a share of 1 can never fire (and does not validate): that alarm is not set.
        (name) => (multiplier * agent!.normalShare[name] < 1 ? threshold(multiplier * agent!.normalShare[name]) : undefined),
      );
      const countsOnly = { ...policy, metrics: policy.metrics.filter((metric) => metric.kind === 'count') };
      const costBound = multiplier * normal.cost;
      return (look) => {
        if (judge(countsOnly, look.observations).decision === 'fail') return 'fail';
        const costs = perMinuteValues(look.observations, 'cost', 'canary', modelId);
        if (costs.length >= 3 && costs.slice(-3).every((value) => value > costBound)) return 'fail';
        return look.minutes >= look.horizon ? 'pass' : 'continue';
      };
    },
  };
}

function kayentaFails(look: Look, modelId: string): boolean {
  const alpha = alphaPerMetric(look.observations);
  return Object.keys(look.observations).some((metric) => {
    const control = perMinuteValues(look.observations, metric, 'baseline', modelId);
    const experiment = perMinuteValues(look.observations, metric, 'canary', modelId);
    if (control.length < 3 || experiment.length < 3) return false;
    return mannWhitney(control, experiment, { alternative: 'greater' }).pValue < alpha;
  });
}

/** Kayenta-style: Mann–Whitney on per-minute values, canary greater than baseline, judged once at the end of the window. */
export const kayentaFixedHorizon: BenchJudge = {
  name: 'Mann–Whitney, fixed horizon',
  description: 'Kayenta-style rank test of per-minute values, once at the end of the canary window',
  looksEveryMinute: false,
  appliesTo: () => true,
  start(series) {
    const modelId = pricedModel(series);
    return (look) => (look.minutes < look.horizon ? 'continue' : kayentaFails(look, modelId) ? 'fail' : 'pass');
  },
};

/** The same test re-run every minute, as Kayenta's standalone canary mode does: each look is another chance of a false alarm. */
export const kayentaEveryMinute: BenchJudge = {
  name: 'Mann–Whitney, every minute',
  description: 'the same rank test re-run every minute (no correction for repeated looks)',
  looksEveryMinute: true,
  appliesTo: () => true,
  start(series) {
    const modelId = pricedModel(series);
    return (look) => (kayentaFails(look, modelId) ? 'fail' : look.minutes >= look.horizon ? 'pass' : 'continue');
  },
};

/** canary-evaluator's judge: the anytime-valid sequential rate test for counts and the cost confidence sequence. */
export const sequentialJudge: BenchJudge = {
  name: 'canary-evaluator (sequential)',
  description: 'anytime-valid rate-ratio e-process (errors, slow requests, short turns / under-informed edits per turn) and cost confidence sequence, α split over the metrics',
  looksEveryMinute: true,
  appliesTo: () => true,
  start(series, agent, scenario) {
    const modelId = pricedModel(series);
    // A scenario with a budget is judged with its budget gate too (issue 29 item 4).
    const policy = policyFor(
      modelId,
      {
        errors: { type: 'sequential', tolerance: 1.5 },
        'slow-requests': { type: 'sequential', tolerance: 1.5 },
        cost: { type: 'cost', tolerance: 0.1 },
      },
      agent,
      () => ({ type: 'sequential', tolerance: 1.5 }),
      scenario?.budget,
    );
    return (look) => {
      const verdict = judge(policy, look.observations, { deadlineReached: look.minutes >= look.horizon });
      // The bench counts alarms: a deadline without a verdict lets the release through (onInconclusive: pass).
      return verdict.decision === 'inconclusive' ? 'pass' : verdict.decision;
    };
  },
};

/**
 * The physical limit: Wald's SPRT that knows the true rate ratio of each count metric (or, for a
 * healthy release, the ×2 it would look for). No judge that does not know the effect can beat it by much.
 */
export const oracleSprt: BenchJudge = {
  name: 'oracle SPRT',
  description: 'Wald SPRT on the conditional binomial with the true rate ratio known (×2 when healthy); errors and slow requests only',
  looksEveryMinute: true,
  // It knows the ratio of errors and slow requests only: not run where the regression is in token counts or agent behaviour.
  appliesTo: (scenario) => scenario.regressions.every((regression) => regression.metric !== 'tokens' && regression.metric !== 'reasoning' && regression.metric !== 'files-read'),
  start(series) {
    const canaryRows = series.versions[series.roles.canary];
    const baselineRows = series.versions[series.roles.baseline];
    const trueRatio = (pick: (row: (typeof canaryRows)[number]) => number) => {
      const ratio = canaryRows.map((row, i) => pick(row) / Math.max(1e-12, pick(baselineRows[i])));
      const mean = ratio.reduce((a, b) => a + b, 0) / ratio.length;
      return mean > 1.05 ? mean : 2;
    };
    const ratios: Record<'errors' | 'slow-requests', number> = {
      errors: trueRatio((row) => row.truth.errorRate),
      'slow-requests': trueRatio((row) => row.truth.slowProbability),
    };
    return (look) => {
      const boundary = Math.log(1 / alphaPerMetric(look.observations));
      for (const metric of ['errors', 'slow-requests'] as const) {
        const observed = look.observations[metric];
        if (observed.kind !== 'count') continue;
        const baselineByT = new Map(observed.baseline.map((p) => [p.t, p]));
        let llr = 0;
        for (const canary of observed.canary) {
          const baseline = baselineByT.get(canary.t);
          if (!baseline) continue;
          const events = canary.count + baseline.count;
          if (events === 0) continue;
          const p0 = canary.total / (canary.total + baseline.total);
          const p1 = (ratios[metric] * canary.total) / (ratios[metric] * canary.total + baseline.total);
          llr += canary.count * Math.log(p1 / p0) + baseline.count * Math.log((1 - p1) / (1 - p0));
        }
        if (llr >= boundary) return 'fail';
      }
      return look.minutes >= look.horizon ? 'pass' : 'continue';
    };
  },
};

/** The judges of the benchmark; the threshold alarm appears twice: as usually configured (×2) and calibrated to our false-alarm rate. */
export function benchJudges(calibratedMultiplier?: number): BenchJudge[] {
  const calibrated = calibratedMultiplier === undefined ? [] : [thresholdAlarm(calibratedMultiplier, 'threshold alarm, calibrated')];
  return [thresholdAlarm(), ...calibrated, kayentaFixedHorizon, kayentaEveryMinute, sequentialJudge, oracleSprt];
}
