import type { Policy } from '../policy';
import { OBSERVATION_KIND_OF_METRIC, type Observations } from './observations';

/** Thrown for observations that cannot be judged; `issues` names metric, arm and index of each problem. */
export class ObservationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`observations are invalid:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ObservationError';
  }
}

const MAX_ISSUES = 20;
const ALARM_STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'missing';
  return JSON.stringify(value) ?? String(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Where a period is, built only when there is a problem to name. */
const at = (where: string, index: number) => `${where}[${index}]`;

/** Checks one arm's periods: numbers finite, counts within range, `t` strictly increasing. Plain loops: this runs on every judge call. */
function checkArm(where: string, periods: unknown, fields: readonly string[], issues: string[]): void {
  if (!Array.isArray(periods)) {
    issues.push(`${where}: expected an array of periods, got ${describe(periods)}`);
    return;
  }
  const counts = fields === FIELDS.count;
  let previousT = -Infinity;
  for (let index = 0; index < periods.length; index++) {
    const period: unknown = periods[index];
    // Fast path for the common case, a valid count period (read field by field, as below, only to name a problem).
    if (counts && typeof period === 'object' && period !== null) {
      const { t, count, total } = period as { t?: unknown; count?: unknown; total?: unknown };
      if (typeof t === 'number' && typeof count === 'number' && typeof total === 'number' && t > previousT && Number.isFinite(t) && count >= 0 && count <= total && Number.isFinite(total) && !Array.isArray(period)) {
        previousT = t;
        continue;
      }
    }
    if (!isObject(period)) {
      issues.push(`${at(where, index)}: expected an object, got ${describe(period)}`);
      continue;
    }
    const t = period.t;
    if (!isFiniteNumber(t)) issues.push(`${at(where, index)}.t: expected a finite number, got ${describe(t)}`);
    for (const field of fields) {
      const value = period[field];
      if (isFiniteNumber(value)) {
        if (field !== 'value' && value < 0) issues.push(`${at(where, index)}: ${field} ${value} is negative`);
      } else if (!(value === undefined && (field === 'cacheRead' || field === 'cacheWrite' || field === 'reasoning'))) {
        issues.push(`${at(where, index)}.${field}: expected a finite number, got ${describe(value)}`);
      }
    }
    if (isFiniteNumber(period.count) && isFiniteNumber(period.total) && period.count > period.total) {
      issues.push(`${at(where, index)}: count ${period.count} > total ${period.total}`);
    }
    if (isFiniteNumber(period.reasoning) && isFiniteNumber(period.output) && period.reasoning > period.output) {
      issues.push(`${at(where, index)}: reasoning ${period.reasoning} > output ${period.output} (reasoning tokens are a part of output)`);
    }
    if (isFiniteNumber(t)) {
      if (t === previousT) issues.push(`${at(where, index)}: duplicate t ${t}`);
      else if (t < previousT) issues.push(`${at(where, index)}: t ${t} is before the previous period's t ${previousT}; sort periods by t`);
      previousT = t;
    }
  }
}

/** A time shift is whole periods, both positive: `{ seconds: 1500, periodSeconds: 60 }`. */
function checkTimeShift(where: string, shift: unknown, issues: string[]): void {
  const expected = 'expected { seconds, periodSeconds }, positive, seconds a whole number of periods';
  if (!isObject(shift) || !isFiniteNumber(shift.seconds) || !isFiniteNumber(shift.periodSeconds)) {
    issues.push(`${where}: ${expected}, got ${describe(shift)}`);
  } else if (!(shift.seconds > 0 && shift.periodSeconds > 0 && Number.isInteger(shift.seconds / shift.periodSeconds))) {
    issues.push(`${where}: ${expected}, got seconds ${shift.seconds}, periodSeconds ${shift.periodSeconds}`);
  }
}

const FIELDS = {
  count: ['count', 'total'],
  gauge: ['value'],
  tokens: ['requests', 'input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'],
} as const;

/**
 * Validates observations against a policy and returns them typed. Throws `ObservationError` naming
 * each problem, e.g. `observations["errors"].canary[3]: count 12 > total 10`. Empty arms are valid
 * (the metric decides `nodata`); metrics the policy does not name are ignored.
 */
export function validateObservations(policy: Policy, observations: unknown): Observations {
  if (!isObject(observations)) throw new ObservationError([`observations: expected an object keyed by metric name, got ${describe(observations)}`]);
  const issues: string[] = [];
  for (const metric of policy.metrics) {
    const where = `observations[${JSON.stringify(metric.name)}]`;
    const expectedKind = OBSERVATION_KIND_OF_METRIC[metric.kind];
    const observed = observations[metric.name];
    if (!isObject(observed)) {
      issues.push(`${where}: missing; provide { kind: "${expectedKind}", ${expectedKind === 'alarm' ? 'alarms: [...]' : 'baseline: [...], canary: [...]'} }`);
      continue;
    }
    if (observed.kind !== expectedKind) {
      issues.push(`${where}.kind: expected "${expectedKind}" for a ${metric.kind} metric, got ${describe(observed.kind)}`);
      continue;
    }
    if (expectedKind === 'alarm') {
      if (!Array.isArray(observed.alarms)) {
        issues.push(`${where}.alarms: expected an array of { name, state }, got ${describe(observed.alarms)}`);
        continue;
      }
      observed.alarms.forEach((alarm: unknown, index: number) => {
        if (!isObject(alarm) || typeof alarm.name !== 'string' || !ALARM_STATES.has(alarm.state as string)) {
          issues.push(`${where}.alarms[${index}]: expected { name, state: "OK" | "ALARM" | "INSUFFICIENT_DATA" }, got ${describe(alarm)}`);
        }
      });
      continue;
    }
    for (const arm of ['baseline', 'canary'] as const) {
      if (observed[arm] === undefined) issues.push(`${where}.${arm}: missing arm; use [] for an arm without data`);
      else checkArm(`${where}.${arm}`, observed[arm], FIELDS[expectedKind], issues);
    }
    if ((expectedKind === 'gauge' || expectedKind === 'count') && observed.baselineHistory !== undefined) checkArm(`${where}.baselineHistory`, observed.baselineHistory, FIELDS[expectedKind], issues);
    if (expectedKind === 'gauge' && observed.canaryHistory !== undefined) checkArm(`${where}.canaryHistory`, observed.canaryHistory, FIELDS[expectedKind], issues);
    if (expectedKind === 'count' && observed.timeShift !== undefined) checkTimeShift(`${where}.timeShift`, observed.timeShift, issues);
  }
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_ISSUES);
    if (issues.length > MAX_ISSUES) shown.push(`… and ${issues.length - MAX_ISSUES} more`);
    throw new ObservationError(shown);
  }
  return observations as Observations;
}
