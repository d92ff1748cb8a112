import type { AlarmObservation } from './observations';
import type { MethodOf, MetricOfKind } from './method-context';
import type { MetricResult } from './verdict';

/**
 * Alarm gate: fails when any named alarm was seen in ALARM (or INSUFFICIENT_DATA, if the method says
 * so). It can only block: with every alarm OK it says `continue` (the deadline decides), and with no
 * OK state seen for any alarm it says `nodata`. Alarms the policy does not name are ignored.
 */
export function judgeAlarmGate(
  metric: MetricOfKind<'alarm'>,
  method: MethodOf<'alarm-gate'>,
  observed: { readonly alarms: readonly AlarmObservation[] },
): MetricResult {
  const statesOf = (name: string) => new Set(observed.alarms.filter((alarm) => alarm.name === name).map((alarm) => alarm.state));
  const failing = metric.alarmNames.filter((name) => {
    const states = statesOf(name);
    return states.has('ALARM') || (method.failOnInsufficientData && states.has('INSUFFICIENT_DATA'));
  });
  const unseen = metric.alarmNames.filter((name) => !statesOf(name).has('OK') && !failing.includes(name));
  const common = { metric: metric.name, method: 'alarm-gate', critical: metric.critical, baseline: { periods: 0 }, canary: { periods: 0 } };
  if (failing.length > 0) {
    return { ...common, decision: 'fail', reason: `${metric.name}: alarm ${failing.join(', ')} in ALARM` };
  }
  if (unseen.length === metric.alarmNames.length) {
    return { ...common, decision: 'nodata', reason: `${metric.name}: no OK state seen yet for ${unseen.join(', ')}` };
  }
  const pending = unseen.length > 0 ? `; no data yet for ${unseen.join(', ')}` : '';
  return { ...common, decision: 'continue', reason: `${metric.name}: ${metric.alarmNames.length - unseen.length} alarm(s) OK${pending}` };
}
