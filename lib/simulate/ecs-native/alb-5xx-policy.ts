import { parsePolicy, type Policy } from '../../policy';

/**
 * The policy the ECS native benchmarks and their CI Monte Carlo judge on (`SimulatedTargetGroupMetrics`):
 * one custom count metric, target 5xx per request on each target group, the sequential test at tolerance
 * ×1.5. One definition, so the detection bench, the α-budget bench, the where-the-time-goes script and the
 * CI test measure the same judge.
 */
export function albFiveXxPolicy(options: { readonly alpha: number; readonly dispersion: 'estimate' | 'poisson' }): Policy {
  return parsePolicy({
    alpha: options.alpha,
    metrics: [
      {
        name: 'alb-5xx',
        kind: 'count',
        count: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count' },
        total: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount' },
        versioning: { type: 'alb-target-group' },
        direction: 'increase',
        method: { type: 'sequential', tolerance: 1.5, dispersion: options.dispersion },
      },
    ],
  });
}
