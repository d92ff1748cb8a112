import type { MetricDefinition } from '../policy';
import { formatArms, formatCount, formatEffect, formatPercent, formatPlain } from './format';
import type { MetricResult } from './verdict';

/**
 * Reasons in plain words, for the views (terminal, HTML, notifications), readable without the statistics: "errors ×2.9 (99 % interval 1.0–6.3): 24 of
 * 895 requests on the new version vs 75 of 8,160 on the current one; evidence 1,251 against "no
 * regression", 100 needed". Written from each result's numbers when shown: the verdict keeps the
 * method's own reason and every number in full (`--json`, the state, the verdict event stay small and
 * exact). No effect for 0 events vs 0; one interval per metric; no epoch times.
 */
export function plainReason(result: MetricResult, metric?: MetricDefinition): string {
  if (result.method === 'sequential') return sequentialWords(result, metric);
  if (result.method === 'cost') return costWords(result, metric);
  return result.reason;
}

function evidenceWords(value: number | undefined, against: string, needed: string): string | undefined {
  return value === undefined ? undefined : `evidence ${formatPlain(value)} against "${against}", ${needed} needed`;
}

function toleranceOf(metric: MetricDefinition | undefined): string | undefined {
  const method = metric?.method as { type?: string; tolerance?: number } | undefined;
  if (!method || method.tolerance === undefined) return undefined;
  const decrease = (metric as { direction?: string }).direction === 'decrease';
  return method.type === 'cost' ? `a rise of ${formatPercent(method.tolerance)}` : `${decrease ? '÷' : '×'}${formatPlain(method.tolerance)}`;
}

function sequentialWords(result: MetricResult, metric: MetricDefinition | undefined): string {
  const arms = formatArms(result);
  const events = (result.canary.count ?? 0) + (result.baseline.count ?? 0);
  if (result.effect === undefined || arms === undefined) return result.reason; // no data: the method's words
  if (events === 0) return `${result.metric}: no events on either version (${arms}): nothing to compare yet`;
  const needed = result.alpha ? formatCount(1 / result.alpha) : '1/α';
  const head = `${result.metric} ${formatEffect(result)}: ${arms}`;
  const tolerance = toleranceOf(metric);
  const harm = evidenceWords(result.evidence?.eValue, 'no regression', needed);
  switch (result.decision) {
    case 'fail':
      return `${head}; regression shown: ${harm}`;
    case 'pass':
      return `${head}; ${tolerance ? `a regression of ${tolerance} or more` : 'a regression'} ruled out at the ${needed}-to-1 evidence needed`;
    default: {
      const harmOnly = result.evidence?.eValue === undefined ? '' : `evidence ${formatPlain(result.evidence.eValue)} against "no regression"`;
      const pass = result.evidence?.eValuePass !== undefined ? ` and ${formatPlain(result.evidence.eValuePass)} against "a regression of ${tolerance ?? 'the tolerance'} or more"` : '';
      return `${head}; not decided yet: ${harmOnly}${pass}, ${needed} needed`;
    }
  }
}

function costWords(result: MetricResult, metric: MetricDefinition | undefined): string {
  const { canary, baseline } = result;
  if (result.effect === undefined || canary.costPerRequest === undefined || baseline.costPerRequest === undefined) return result.reason;
  const perRequest = `$${formatPlain(canary.costPerRequest * 1000)} per 1,000 requests on the new version vs $${formatPlain(baseline.costPerRequest * 1000)} on the current one`;
  const head = `${result.metric} cost per request ${formatEffect({ ...result, canary: {}, baseline: {} })}: ${perRequest}`;
  const tolerance = toleranceOf(metric) ?? 'the tolerated rise';
  if (result.decision === 'fail') return `${head}; raised by more than ${tolerance.replace('a rise of ', '')}`;
  if (result.decision === 'pass') return `${head}; ${tolerance} or more ruled out`;
  return `${head}; not decided yet`;
}
