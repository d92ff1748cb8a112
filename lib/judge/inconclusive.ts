import { evidenceNeeded, type InconclusiveMetric, type MetricResult } from './verdict';
import { formatCount, formatNumber } from './format';

/** Methods that can rule harm out by evidence; an undecided one at the deadline is honestly `inconclusive`. */
const DECIDING_METHODS = new Set(['sequential', 'time-shifted', 'mann-whitney', 'cost']);

/** Threshold and alarm gates cannot prove the absence of harm: "no breach through the deadline" is their pass. */
export function passesAtDeadlineByItsMethod(result: MetricResult): boolean {
  return !DECIDING_METHODS.has(result.method);
}

const canaryTotalOf = (result: MetricResult) => result.canary.total ?? result.canary.requests;

/**
 * Why an undecided metric did not decide, as data (the words come from `describeInconclusive`), and roughly how
 * much traffic would have decided it. For the sequential test the log e-value grows about linearly with
 * the requests seen (its drift is the Kullback–Leibler rate of the alternative), so the traffic that
 * would have reached 1/α is about n · ln(1/α) / ln(E) for the larger of its two e-values E (against
 * "no harm" and against "harm"): a projection from the evidence so far, said as "roughly".
 */
export function explainInconclusive(result: MetricResult): InconclusiveMetric {
  const canaryTotal = canaryTotalOf(result);
  const alpha = result.alpha ?? 0.01;
  if (result.dataIncomplete) return { cause: 'incomplete-data', detail: 'incomplete-data' };
  // A metric judged without evidence had no data in both arms (the methods' `nodata`).
  if (result.decision === 'nodata' || result.canary.periods === 0 || (result.method === 'sequential' && result.evidence === undefined)) return { cause: 'low-traffic', detail: 'no-data' };
  // Fewer samples than the method needs by the deadline: the traffic was too low for it.
  if (result.method !== 'sequential') return { cause: 'low-traffic', detail: 'few-samples' };
  if ((result.canary.count ?? 0) + (result.baseline.count ?? 0) === 0) return { cause: 'low-traffic', detail: 'no-events' };
  const best = Math.max(result.evidence?.eValue ?? 0, result.evidence?.eValuePass ?? 0);
  if (!(best > 1) || !canaryTotal) return { cause: 'low-traffic', detail: 'weak-evidence' };
  const factor = Math.log(evidenceNeeded(result) ?? 1 / alpha) / Math.log(best);
  return { cause: factor > 4 ? 'low-traffic' : 'undecided', detail: 'weak-evidence', neededCanaryTotal: Math.ceil(canaryTotal * factor), trafficFactor: Number(factor.toPrecision(3)) };
}

/** The plain words of an inconclusive metric: "28 requests on the new version; evidence 1.09 of the 300 needed; roughly 1,915 requests would have decided". */
export function describeInconclusive(result: MetricResult): string {
  const detail = explainInconclusive(result);
  const canaryTotal = canaryTotalOf(result);
  const requests = canaryTotal !== undefined ? `${formatCount(canaryTotal)} request${canaryTotal === 1 ? '' : 's'} on the new version` : `${result.canary.periods} period(s) of data from the new version`;
  switch (detail.detail) {
    case 'no-data':
      return result.canary.periods === 0 ? 'no data from the new version in the window' : `${requests}, no period with enough traffic on both versions`;
    case 'incomplete-data':
      return `not judged: ${result.dataIncomplete}`;
    case 'no-events':
      return `${requests} and no events on either version: 0 against 0 says nothing about the rate`;
    case 'weak-evidence': {
      const best = Math.max(result.evidence?.eValue ?? 0, result.evidence?.eValuePass ?? 0);
      const threshold = evidenceNeeded(result);
      const needed = threshold === undefined ? '' : ` of the ${formatNumber(threshold)} needed`;
      const projection =
        detail.neededCanaryTotal !== undefined ? `; roughly ${formatCount(detail.neededCanaryTotal)} requests on the new version (×${formatNumber(detail.trafficFactor ?? 1)}) would have decided` : '';
      return `${requests}; evidence ${formatNumber(best)}${needed}${projection}`;
    }
    default:
      return `${requests}; ${result.reason.replace(`${result.metric}: `, '')}`;
  }
}
