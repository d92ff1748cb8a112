import { formatArms, formatCount, formatEffect, formatNumber, formatPercent, formatPlain } from './format';
import { describeInconclusive, explainInconclusive } from './inconclusive';
import { TOKEN_TYPE_WORDS } from './cost';
import { evidenceNeeded, type MetricResult, type Verdict } from './verdict';

/**
 * A verdict in plain words, for every view (terminal, HTML, chat, `canary-eval judge`): one renderer, so
 * the same evaluation reads the same everywhere. Each metric opens with what happened, in units —
 * "lambda-error-rate 2.7 % on the new version vs 0.92 % on the current one (×2.9): regression shown" —
 * then a details line for those who want the statistics (counts, interval, evidence, method, α).
 * The verdict itself keeps the method's own reason and every number in full (`--json`, the state, the
 * verdict event stay small and exact). `toleranceRatio`: the canary/baseline ratio the metric tolerates
 * (the report's `PolicySummary`), named in the words when known.
 */

/** What happened on each version, in the metric's units, with the ratio where one means something. */
function whatHappened(result: MetricResult): string | undefined {
  const { canary, baseline } = result;
  if (result.budget) {
    const { projectedUsd, interval, limitUsd, period, level } = result.budget;
    const per = period === 'daily' ? 'day' : 'month';
    return `$${formatPlain(projectedUsd)} per ${per} projected for the new version at full traffic (interval $${formatPlain(interval[0])}–$${formatPlain(interval[1])}, ${formatPercent(level)} over every look) vs the ${period} budget of $${formatPlain(limitUsd)}`;
  }
  if (canary.costPerRequest !== undefined && baseline.costPerRequest !== undefined) {
    return `$${formatPlain(canary.costPerRequest * 1000)} per 1,000 requests on the new version vs $${formatPlain(baseline.costPerRequest * 1000)} on the current one${ratioWords(result)}${driverWords(result)}`;
  }
  if (canary.count !== undefined && canary.total !== undefined && baseline.count !== undefined && baseline.total !== undefined) {
    if (canary.total === 0) return `no requests on the new version yet`;
    const rate = (count: number, total: number) => (total > 0 ? `${formatPlain((count / total) * 100)} %` : 'no requests');
    return `${rate(canary.count, canary.total)} on the new version vs ${rate(baseline.count, baseline.total)} on the current one${ratioWords(result)}`;
  }
  if (canary.median !== undefined && baseline.median !== undefined) {
    return `median ${formatPlain(canary.median)} on the new version vs ${formatPlain(baseline.median)} on the current one${ratioWords(result)}`;
  }
  return undefined;
}

/** ", mostly input tokens (+$9.00 per 1,000 requests: a prompt-cache miss)": the token type that moved, once the cost test failed. */
function driverWords(result: MetricResult): string {
  const driver = result.spendDriver;
  if (!driver) return '';
  const usd = `${driver.usdPerRequest >= 0 ? '+' : '−'}$${formatPlain(Math.abs(driver.usdPerRequest) * 1000)} per 1,000 requests`;
  return `, mostly ${TOKEN_TYPE_WORDS[driver.type]} (${usd}${driver.cacheMiss ? ': cache reads fell, a prompt-cache miss' : ''})`;
}

/**
 * Spend by token type, per 1,000 requests, new vs current: "input $9.90 vs $0.90 · output $1.95 vs $1.95 ·
 * cache read $0 vs $0.90", with tokens per request; for the details of a cost metric (every view).
 */
export function spendBreakdown(result: MetricResult): string | undefined {
  const rows = result.spendByTokenType;
  if (!rows || rows.length === 0) return undefined;
  const words = rows.map(
    (row) =>
      `${TOKEN_TYPE_WORDS[row.type].replace(/ tokens$/, '')} $${formatPlain(row.canaryUsdPerRequest * 1000)} vs $${formatPlain(row.baselineUsdPerRequest * 1000)} (${formatPlain(row.canaryTokensPerRequest)} vs ${formatPlain(row.baselineTokensPerRequest)} tokens)`,
  );
  return `spend by token type per 1,000 requests, new vs current: ${words.join(' · ')}`;
}

/**
 * " (×2.9)", or why there is no ratio: a ratio of counts with no events on one side says nothing ("×3.2"
 * for a version with no slow requests would read as three times worse).
 */
function ratioWords(result: MetricResult): string {
  const { canary, baseline } = result;
  if (canary.count !== undefined && baseline.count !== undefined) {
    if (canary.count === 0 && baseline.count === 0) return ' (no estimate: no events on either version)';
    if (canary.count === 0) return ' (no estimate: 0 events on the new version)';
    if (baseline.count === 0) return ' (no estimate: 0 events on the current version)';
  }
  return result.effect === undefined ? '' : ` (×${formatPlain(result.effect)})`;
}

/** Methods that rule a regression out by evidence; the others (threshold, alarm) only see no breach. */
const RULES_OUT = new Set(['sequential', 'time-shifted', 'cost', 'mann-whitney']);

/** The outcome of one metric in a few words. */
function outcomeWords(result: MetricResult, toleranceRatio?: number): string {
  if (result.method === 'budget') return budgetWords(result);
  switch (result.decision) {
    case 'fail':
      return result.method === 'threshold' || result.method === 'alarm' ? 'over its bound' : 'regression shown';
    case 'pass':
      if (!RULES_OUT.has(result.method)) return 'within bounds';
      return toleranceRatio === undefined ? 'regression ruled out' : `a regression of ×${formatPlain(toleranceRatio)} or more ruled out`;
    case 'inconclusive':
      return 'no verdict by the deadline';
    case 'nodata':
      return 'no data yet';
    default:
      return 'not decided yet';
  }
}

/** The budget gate's outcome: shown over budget, projected over it (a warning), or within it. */
function budgetWords(result: MetricResult): string {
  const budget = result.budget;
  if (!budget) return result.decision === 'nodata' ? 'no canary spend yet' : 'not enough periods yet';
  if (budget.interval[0] > budget.limitUsd) return budget.action === 'warn' ? 'over budget (action: warn)' : 'over budget';
  if (budget.projectedUsd > budget.limitUsd) return 'projected over budget, not shown (warning)';
  return 'within budget';
}

/** The first line of a metric: "lambda-error-rate 2.7 % on the new version vs 0.92 % on the current one (×2.9): regression shown". */
export function metricHeadline(result: MetricResult, toleranceRatio?: number): string {
  const what = whatHappened(result);
  return `${result.metric}${what ? ` ${what}` : ''}: ${outcomeWords(result, toleranceRatio)}`;
}

/**
 * The statistics behind a metric's outcome, for the details line, `--verbose` and the report: counts,
 * the interval of the effect at the metric's level, the evidence against the 1/α it needed, the method
 * and its α. Methods without these numbers give their own reason.
 */
export function metricDetails(result: MetricResult, toleranceRatio?: number): string {
  const parts: string[] = [];
  const arms = formatArms(result);
  if (arms) parts.push(arms);
  const effect = formatEffect(result);
  const hasEvents = result.canary.count === undefined || (result.canary.count > 0 && (result.baseline.count ?? 0) > 0);
  if (effect && hasEvents && result.interval) parts.push(effect.replace(/^×[^ ]+ \((.*)\)$/, '$1'));
  const threshold = evidenceNeeded(result);
  const needed = threshold === undefined ? undefined : formatCount(threshold);
  if (result.evidence?.eValue !== undefined) {
    const pass = result.evidence.eValuePass !== undefined ? `, ${formatPlain(result.evidence.eValuePass)} against "a regression of ${toleranceRatio ? `×${formatPlain(toleranceRatio)}` : 'the tolerance'} or more"` : '';
    parts.push(`evidence ${formatPlain(result.evidence.eValue)} against "no regression"${pass}${needed ? `, ${needed} needed` : ''}`);
  }
  if (result.evidence?.pValue !== undefined) parts.push(`p ${formatNumber(result.evidence.pValue)}`);
  // The bake's comparison across time also says what it was calibrated on (its reason).
  if (parts.length === 0 || !RULES_OUT.has(result.method) || result.method === 'time-shifted') parts.push(stripName(result));
  parts.push(`${result.method}${result.alpha !== undefined ? `, α ${formatNumber(result.alpha)}` : ''}`);
  if (result.pricing) parts.push(`priced by ${result.pricing}`);
  return parts.join('; ');
}

function stripName(result: MetricResult): string {
  return result.reason.startsWith(`${result.metric}: `) ? result.reason.slice(result.metric.length + 2) : result.reason;
}

/**
 * One metric in one line (chat, timelines): the headline, and for an undecided metric at the deadline,
 * why in brief.
 */
export function plainReason(result: MetricResult, toleranceRatio?: number): string {
  const headline = metricHeadline(result, toleranceRatio);
  return result.decision === 'inconclusive' ? `${headline} (${describeInconclusive(result)})` : headline;
}

/**
 * The whole verdict in one line, each reason once: "lambda-error-rate regressed", "all 4 metrics
 * passed", "no verdict by the deadline (traffic too low: 28 requests on the new version):
 * lambda-error-rate, lambda-slow-requests undecided". The metrics' own lines carry their figures.
 */
export function verdictSummary(verdict: Pick<Verdict, 'decision' | 'metrics' | 'reason'>): string {
  const critical = verdict.metrics.filter((result) => result.critical);
  const names = (results: readonly MetricResult[]) => results.map((result) => result.metric).join(', ');
  switch (verdict.decision) {
    case 'fail': {
      const failed = critical.filter((result) => result.decision === 'fail');
      const regressed = failed.filter((result) => result.method !== 'budget');
      const overBudget = failed.find((result) => result.method === 'budget')?.budget;
      const parts = [
        ...(regressed.length > 0 ? [`${names(regressed)} regressed`] : []),
        ...(overBudget ? [`the new version's spend at full traffic is projected over the ${overBudget.period} budget`] : []),
      ];
      return parts.length > 0 ? parts.join('; ') : verdict.reason;
    }
    case 'pass':
      return verdict.metrics.length === 0 ? verdict.reason : `all ${verdict.metrics.length} metric${verdict.metrics.length === 1 ? '' : 's'} passed`;
    case 'inconclusive': {
      const undecided = critical.filter((result) => result.decision === 'inconclusive');
      if (undecided.length === 0) return verdict.reason;
      const lowTraffic = undecided.every((result) => explainInconclusive(result).cause === 'low-traffic');
      const requests = Math.max(...undecided.map((result) => result.canary.total ?? result.canary.requests ?? 0));
      const needed = Math.max(0, ...undecided.map((result) => explainInconclusive(result).neededCanaryTotal ?? 0));
      const wouldDecide = needed > 0 ? `, roughly ${formatCount(needed)} would have decided` : '';
      // Data the source never completed is the why, in its own words ("CloudWatch returned PartialData for …").
      const incomplete = undecided.flatMap((result) => (result.dataIncomplete ? [result.dataIncomplete] : []));
      const why =
        incomplete.length > 0
          ? `data incomplete: ${incomplete.join('; ')}`
          : lowTraffic
            ? `traffic too low: ${formatCount(requests)} request${requests === 1 ? '' : 's'} on the new version${wouldDecide}`
            : 'the evidence did not decide';
      return `no verdict by the deadline (${why}): ${names(undecided)} undecided`;
    }
    default: {
      const waiting = verdict.metrics.filter((result) => result.decision === 'continue' || result.decision === 'nodata');
      return waiting.length > 0 ? `waiting for evidence: ${names(waiting)}` : verdict.reason;
    }
  }
}

/** BUDGET_METRIC: the name the budget gate's result carries among the metrics. */
export const BUDGET_METRIC = 'budget';

/**
 * Why a run failed, by the names of its failed critical metrics: "lambda-error-rate, cost-per-request
 * regressed", and the budget gate as "projected over budget" (a budget does not regress).
 */
export function failedWords(names: readonly string[]): string {
  const regressed = names.filter((name) => name !== BUDGET_METRIC);
  const parts = [...(regressed.length > 0 ? [`${regressed.join(', ')} regressed`] : []), ...(names.includes(BUDGET_METRIC) ? ['projected over budget'] : [])];
  return parts.join('; ');
}

/**
 * The false-alarm bound in words, explained once: why a verdict says "≤ 0.5 %" when the policy says
 * α 0.01 (each phase of a deployment spends a share of the policy's α; non-critical metrics spend none).
 */
export function falseAlarmWords(verdict: Pick<Verdict, 'falseAlarmBound' | 'alphaShare'>, policyAlpha?: number): string | undefined {
  if (verdict.falseAlarmBound === undefined) return undefined;
  const bound = `chance of failing a good release ≤ ${formatPercent(verdict.falseAlarmBound)}`;
  if (verdict.alphaShare !== undefined && verdict.alphaShare < 1 && policyAlpha !== undefined) {
    return `${bound}: this phase's ${formatPercent(verdict.alphaShare)} share of the policy's α ${formatNumber(policyAlpha)}`;
  }
  return policyAlpha !== undefined && Math.abs(verdict.falseAlarmBound - policyAlpha) > 1e-12 ? `${bound} (the critical metrics' share of the policy's α ${formatNumber(policyAlpha)})` : bound;
}
