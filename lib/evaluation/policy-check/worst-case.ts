import { judge } from '../../judge/judge';
import type { AlarmObservation, CountPeriod, GaugePeriod, MetricObservations, Observations, TokensPeriod } from '../../judge/observations';
import type { MetricResult } from '../../judge/verdict';
import type { MetricDefinition, Policy } from '../../policy';
import { formatSeconds } from '../../policy/limits';
import type { PolicyIssue } from '../../policy/fit';
import { baselineHistorySeconds } from '../observations';
import { alphaShareOf, planEvaluation } from '../steps';
import type { EvaluationInput, EvaluationPlan } from '../state';

/**
 * The worst regression each metric is checked against: a 100-request-a-minute service whose new version
 * fails every request (a count metric; when harm is a decrease, no request counts), or whose gauge or
 * cost per request is 1,000 times worse. In the canary watch the new version gets 10 % (10 requests a
 * minute against the current version's 90); in the bake it serves all 100, against the current version's
 * own 100 before the deployment. A metric's own traffic floor (`minTotalPerPeriod`,
 * `minRequestsPerPeriod`) raises the traffic to it, so a floor never hides a metric by itself.
 * At this traffic an ordinary level (α down to about 1e-20) fails such a version within a few looks,
 * while one like 1e-300 never does.
 */
export const WORST_CASE = {
  serviceRequestsPerMinute: 100,
  canaryShareInWatch: 0.1,
  /** The healthy event rate (errors, slow requests) of the current version and of unaffected metrics. */
  healthyEventRate: 0.01,
  /** How much worse a regressed gauge or cost per request is. */
  factor: 1000,
} as const;

const HOOK_INVOKED_AT = '2026-01-05T10:00:00Z';

function phaseInput(lifecycleEvent: 'BeforeAllowTraffic' | 'AfterAllowTraffic'): EvaluationInput {
  return {
    deploymentId: 'd-WORSTCASE',
    lifecycleEventHookExecutionId: 'worst-case',
    lifecycleEvent,
    applicationName: 'worst-case',
    deploymentGroupName: 'worst-case',
    target: { type: 'lambda', functionName: 'worst-case', alias: 'live', currentVersion: '1', targetVersion: '2' },
    policyRef: { bucket: 'worst-case', key: 'policy.json' },
    hookInvokedAt: HOOK_INVOKED_AT,
    deploymentCreatedAt: HOOK_INVOKED_AT,
  };
}

/**
 * A gauge's healthy values: 5 % above and below its level in turn. The most favourable noise for a
 * test (no serial correlation for Mann–Whitney's `autocorrelation: adjust` to pay for), so a metric is
 * refused only when no noise would let it fail.
 */
function wobble(index: number): number {
  return index % 2 === 0 ? 0.95 : 1.05;
}

type Arm = 'baseline' | 'canary';

/** Requests an arm serves per period of the phase, raised to the metric's own floor. */
function requestsPerPeriod(metric: MetricDefinition, plan: EvaluationPlan, arm: Arm): number {
  const perMinute = plan.phase === 'pre-traffic'
    ? WORST_CASE.serviceRequestsPerMinute * (arm === 'canary' ? WORST_CASE.canaryShareInWatch : 1 - WORST_CASE.canaryShareInWatch)
    : WORST_CASE.serviceRequestsPerMinute;
  const floor = metric.method.type === 'threshold' ? metric.method.minTotalPerPeriod : metric.method.type === 'cost' ? metric.method.minRequestsPerPeriod : 0;
  return Math.max((perMinute * plan.periodSeconds) / 60, floor);
}

/** A gauge's healthy level: inside its absolute bound when it has one (half of it, or twice it when harm is a decrease). */
function healthyLevel(metric: MetricDefinition): number {
  const bound = metric.method.type === 'threshold' ? metric.method.max : undefined;
  if (bound === undefined || bound <= 0) return 100;
  return 'direction' in metric && metric.direction === 'decrease' ? bound * 2 : bound / 2;
}

/** The observations of one metric over `periods` periods from `start`, regressed or healthy. */
function observationsOf(metric: MetricDefinition, plan: EvaluationPlan, periods: number, regressed: boolean, historySeconds: number): MetricObservations {
  const times = Array.from({ length: periods }, (_, index) => plan.windowStart + index * plan.periodSeconds);
  const decrease = 'direction' in metric && metric.direction === 'decrease';
  const worse = (value: number) => (decrease ? value / WORST_CASE.factor : value * WORST_CASE.factor);
  switch (metric.kind) {
    case 'count': {
      const healthyRate = decrease ? 1 - WORST_CASE.healthyEventRate : WORST_CASE.healthyEventRate;
      const arm = (which: Arm): CountPeriod[] => {
        const total = requestsPerPeriod(metric, plan, which);
        const rate = regressed && which === 'canary' ? (decrease ? 0 : 1) : healthyRate;
        return times.map((t) => ({ t, count: total * rate, total }));
      };
      // As the bake judges it (lib/evaluation/observations.ts): the baseline from before the deployment,
      // calibrated on the current version's steady history, on the canary's time grid.
      const shifted = plan.baselineOffsetSeconds > 0 && metric.method.type === 'sequential';
      if (!shifted) return { kind: 'count', baseline: arm('baseline'), canary: arm('canary') };
      const total = requestsPerPeriod(metric, plan, 'baseline');
      const history = Math.round(historySeconds / plan.periodSeconds);
      const baselineHistory = Array.from({ length: history }, (_, index) => ({ t: plan.windowStart - (history - index) * plan.periodSeconds, count: total * healthyRate, total }));
      return { kind: 'count', baseline: arm('baseline'), canary: arm('canary'), timeShift: { seconds: plan.baselineOffsetSeconds, periodSeconds: plan.periodSeconds }, baselineHistory };
    }
    case 'gauge': {
      const level = healthyLevel(metric);
      const arm = (which: Arm): GaugePeriod[] =>
        times.map((t, index) => {
          const healthy = level * wobble(index);
          return { t, value: regressed && which === 'canary' ? worse(healthy) : healthy };
        });
      const history = Math.floor(historySeconds / plan.periodSeconds);
      const baselineHistory = Array.from({ length: history }, (_, index) => ({ t: plan.windowStart - (history - index) * plan.periodSeconds, value: level * wobble(index) }));
      return { kind: 'gauge', baseline: arm('baseline'), canary: arm('canary'), ...(history > 0 && { baselineHistory }) };
    }
    case 'cost': {
      const arm = (which: Arm): TokensPeriod[] => {
        const requests = requestsPerPeriod(metric, plan, which);
        const scale = regressed && which === 'canary' ? worse(1) : 1;
        return times.map((t) => ({ t, requests, input: 1000 * requests * scale, output: 200 * requests * scale }));
      };
      return { kind: 'tokens', baseline: arm('baseline'), canary: arm('canary') };
    }
    case 'alarm': {
      const alarms: AlarmObservation[] = metric.alarmNames.map((name) => ({ name, state: regressed ? 'ALARM' : 'OK', t: plan.windowStart }));
      return { kind: 'alarm', alarms };
    }
  }
}

/**
 * Metrics that are regressed together. A count metric whose failures a cost metric divides by
 * (`errorsFrom`) is regressed apart, so the cost metric's worst case is not cut to nothing by it.
 */
function regressionGroups(policy: Policy): Array<ReadonlySet<string>> {
  const errorSources = new Set(policy.metrics.flatMap((metric) => (metric.method.type === 'cost' && metric.method.errorsFrom ? [metric.method.errorsFrom] : [])));
  const rest = new Set(policy.metrics.map((metric) => metric.name).filter((name) => !errorSources.has(name)));
  return [rest, errorSources].filter((group) => group.size > 0);
}

/**
 * Judges the worst regression of `regressed` look by look over the phase's window, as the evaluation
 * looks, with the real judge: one look per period; the bake's last look is at its deadline (undecided
 * metrics take `onTimeout`), while the canary watch never fails at a deadline (its last look hands harm
 * shown only then to the bake: `lib/evaluation/watch.ts`). Returns, per regressed metric, whether it
 * failed at some look and its result at the last look taken.
 */
function judgeWorstCase(policy: Policy, plan: EvaluationPlan, regressed: ReadonlySet<string>): Map<string, { failed: boolean; last?: MetricResult }> {
  const looks = Math.round((plan.windowEnd - plan.windowStart) / plan.periodSeconds);
  const history = baselineHistorySeconds(policy, plan.periodSeconds, plan.baselineOffsetSeconds > 0);
  const full = new Map(policy.metrics.map((metric) => [metric.name, observationsOf(metric, plan, looks, regressed.has(metric.name), history)]));
  const outcome = new Map([...regressed].map((name) => [name, { failed: false } as { failed: boolean; last?: MetricResult }]));
  const alphaShare = alphaShareOf(policy);
  for (let look = 1; look <= looks; look++) {
    const observations: Observations = Object.fromEntries(
      [...full].map(([name, observed]) => [name, observed.kind === 'alarm' ? observed : { ...observed, baseline: observed.baseline.slice(0, look), canary: observed.canary.slice(0, look) }]),
    ) as Observations;
    const verdict = judge(policy, observations, { deadlineReached: plan.phase === 'bake' && look === looks, alphaShare });
    for (const result of verdict.metrics) {
      const entry = outcome.get(result.metric);
      if (!entry || entry.failed) continue;
      entry.failed = result.decision === 'fail';
      entry.last = result;
    }
    if ([...outcome.values()].every((entry) => entry.failed)) break;
  }
  return outcome;
}

const PHASE_NAME = { 'pre-traffic': 'the canary watch', bake: 'the bake' } as const;

function describeWorstCase(metric: MetricDefinition, plan: EvaluationPlan): string {
  const perMinute = (arm: Arm) => `${Math.round((requestsPerPeriod(metric, plan, arm) * 60) / plan.periodSeconds)}`;
  const decrease = 'direction' in metric && metric.direction === 'decrease';
  switch (metric.kind) {
    case 'count':
      return `${decrease ? 'no request' : 'every request'} of the new version counted as harm, ${perMinute('canary')} requests a minute against ${perMinute('baseline')}`;
    case 'gauge':
      return `the new version's value ${decrease ? `${WORST_CASE.factor} times lower` : `${WORST_CASE.factor} times higher`}`;
    case 'cost':
      return `the new version spending ${WORST_CASE.factor} times more per request, ${perMinute('canary')} requests a minute`;
    case 'alarm':
      return 'every alarm in ALARM';
  }
}

/** The field to blame for a critical metric the worst regression never fails, and what to do. */
function diagnose(metric: MetricDefinition, index: number, looks: number): { path: Array<string | number>; hint: string } {
  const method = metric.method;
  const at = (field: string) => ['metrics', index, 'method', field];
  const levelPath = 'alpha' in method && method.alpha !== undefined ? at('alpha') : ['alpha'];
  const level = 'alpha' in method && method.alpha !== undefined ? `its level (α ${method.alpha})` : 'its share of the policy\'s `alpha`';
  switch (method.type) {
    case 'threshold':
      if (method.failureLimit > looks) return { path: at('failureLimit'), hint: `failureLimit ${method.failureLimit} is more than the ${looks} period(s) judged; lower it or lengthen the window` };
      if (method.max === undefined) return { path: at('maxRatioToBaseline'), hint: `maxRatioToBaseline ${method.maxRatioToBaseline} is never crossed; a bound of 1.5 to 3 is usual` };
      if (method.maxRatioToBaseline === undefined) return { path: at('max'), hint: `max ${method.max} is never crossed` };
      return { path: ['metrics', index, 'method'], hint: `neither max ${method.max} nor maxRatioToBaseline ${method.maxRatioToBaseline} is crossed` };
    case 'mann-whitney':
      if (method.minSamples > looks) return { path: at('minSamples'), hint: `minSamples ${method.minSamples} is more than the ${looks} period(s) judged; lower it or lengthen the window` };
      return { path: levelPath, hint: `${level} is too small for the test to reach in ${looks} period(s)` };
    case 'cost':
      if (method.minPeriods > looks) return { path: at('minPeriods'), hint: `minPeriods ${method.minPeriods} is more than the ${looks} period(s) judged; lower it or lengthen the window` };
      return { path: levelPath, hint: `${level} is too small for the test to reach in ${looks} period(s)` };
    case 'sequential':
      return { path: levelPath, hint: `${level} is too small for the evidence to reach in ${looks} period(s)` };
    default:
      return { path: ['metrics', index, 'method'], hint: 'the method never fails it' };
  }
}

/**
 * Issue 23 item 6: a policy must be able to fail. For each phase that judges metrics, every critical
 * metric's worst regression (`WORST_CASE`) is judged look by look with the real judge; a metric it never
 * fails is refused, naming the field to change. A policy with no critical metric, or where no phase
 * judges metrics, is refused too. The policy must have passed `parsePolicy`.
 */
export function unfailableIssues(policy: Policy): PolicyIssue[] {
  if (policy.metrics.length === 0) return [];
  if (!policy.metrics.some((metric) => metric.critical)) {
    return [{ path: ['metrics'], message: 'every metric is non-critical (`critical: false`): a regression is reported but never fails the evaluation; make at least one metric critical' }];
  }
  const plans = (['BeforeAllowTraffic', 'AfterAllowTraffic'] as const).map((event) => planEvaluation(phaseInput(event), policy)).filter((plan) => plan.windowEnd > plan.windowStart);
  if (plans.length === 0) {
    return [{ path: ['bake', 'enabled'], message: 'neither the canary watch nor the bake judges the metrics, so no regression can fail the evaluation; enable one of them' }];
  }
  const issues: PolicyIssue[] = [];
  for (const plan of plans) {
    const looks = Math.round((plan.windowEnd - plan.windowStart) / plan.periodSeconds);
    for (const group of regressionGroups(policy)) {
      const outcome = judgeWorstCase(policy, plan, group);
      policy.metrics.forEach((metric, index) => {
        const result = outcome.get(metric.name);
        if (!metric.critical || !result || result.failed) return;
        const { path, hint } = diagnose(metric, index, looks);
        const window = `${PHASE_NAME[plan.phase]} (${looks} look(s), one per ${formatSeconds(plan.periodSeconds)})`;
        const lastWord = result.last ? `; the judge's last word: "${result.last.reason}"` : '';
        issues.push({ path, message: `metric "${metric.name}" can never fail in ${window}, even with ${describeWorstCase(metric, plan)}: ${hint}${lastWord}` });
      });
    }
  }
  return issues;
}
