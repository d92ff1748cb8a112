import type { MetricDefinition, MetricStat, Policy, Versioning } from '../policy';
import type { Arm } from '../judge';
import type { LambdaTarget } from './state';
import type { MetricQuery } from './ports';

/** Which query feeds which part of which metric's observations. */
export interface QueryRole {
  readonly metric: string;
  readonly arm: Arm;
  readonly role: 'count' | 'total' | 'value';
}

export interface QueryPlan {
  readonly queries: MetricQuery[];
  readonly roles: ReadonlyMap<string, QueryRole>;
}

/** Dimensions that select one version of a metric. */
export function versionDimensions(stat: MetricStat, versioning: Versioning, target: LambdaTarget, version: string): Record<string, string> {
  if (versioning.type === 'lambda-alias') {
    // Lambda Developer Guide, "Types of metrics for Lambda functions": per-version metrics of
    // invocations through an alias carry FunctionName, Resource=<fn>:<alias> and ExecutedVersion.
    return {
      ...stat.dimensions,
      FunctionName: target.functionName,
      Resource: `${target.functionName}:${target.alias}`,
      ExecutedVersion: version,
    };
  }
  return { ...stat.dimensions, [versioning.dimension]: version };
}

function statsOf(metric: MetricDefinition): Array<['count' | 'total' | 'value', MetricStat]> {
  return metric.kind === 'count'
    ? [
        ['count', metric.count],
        ['total', metric.total],
      ]
    : [['value', metric.value]];
}

/**
 * The GetMetricData queries for a policy: every metric, both arms. The canary is the target
 * version and the baseline the current version, observed at the same time on the same traffic.
 */
export function buildQueries(policy: Policy, target: LambdaTarget, periodSeconds: number): QueryPlan {
  const queries: MetricQuery[] = [];
  const roles = new Map<string, QueryRole>();
  const versions: Record<Arm, string> = { canary: target.targetVersion, baseline: target.currentVersion };
  policy.metrics.forEach((metric, index) => {
    for (const arm of ['canary', 'baseline'] as const) {
      for (const [role, stat] of statsOf(metric)) {
        const id = `m${index}_${arm}_${role}`;
        queries.push({
          id,
          namespace: stat.namespace,
          metricName: stat.metricName,
          dimensions: versionDimensions(stat, metric.versioning, target, versions[arm]),
          stat: stat.stat,
          period: periodSeconds,
        });
        roles.set(id, { metric: metric.name, arm, role });
      }
    }
  });
  return { queries, roles };
}
