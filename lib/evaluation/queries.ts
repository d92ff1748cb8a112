import { isMetricExpression, type MetricDefinition, type MetricSourceSpec, type MetricStat, type Policy, type Versioning } from '../policy';
import type { Arm } from '../judge';
import type { LambdaTarget } from './state';
import { isExpressionQuery, type MetricQuery } from './ports';

/** Which query feeds which part of which metric's observations. */
export type QueryRoleName = 'count' | 'total' | 'value' | 'requests' | 'input' | 'output' | 'cacheRead' | 'cacheWrite';

export interface QueryRole {
  readonly metric: string;
  readonly arm: Arm;
  readonly role: QueryRoleName;
}

export interface QueryPlan {
  readonly queries: MetricQuery[];
  /** What each query feeds; one query may feed several metrics (e.g. a shared `Invocations` total). */
  readonly roles: ReadonlyMap<string, readonly QueryRole[]>;
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
  if (versioning.type === 'alb-target-group') {
    // Needs the ECS target (load balancer and the target group of each arm), which a Lambda target lacks.
    throw new Error('ALB target-group metrics need an ECS deployment target; this evaluation has a Lambda target');
  }
  return { ...stat.dimensions, [versioning.dimension]: version };
}

/** Fills a metric-math expression's placeholders for one arm: `${VERSION}`, and for Lambda `${FUNCTION}` and `${ALIAS}`. */
export function fillPlaceholders(expression: string, target: LambdaTarget, version: string): string {
  return expression.replaceAll('${VERSION}', version).replaceAll('${FUNCTION}', target.functionName).replaceAll('${ALIAS}', target.alias);
}

/** The statistics a metric needs per arm; alarm gates read alarm states, not metrics. */
function statsOf(metric: MetricDefinition): Array<[QueryRoleName, MetricSourceSpec]> {
  switch (metric.kind) {
    case 'count':
      return [
        ['count', metric.count],
        ['total', metric.total],
      ];
    case 'gauge':
      return [['value', metric.value]];
    case 'cost': {
      const { input, output, cacheRead, cacheWrite } = metric.tokens;
      const tokens: Array<[QueryRoleName, MetricSourceSpec | undefined]> = [
        ['input', input],
        ['output', output],
        ['cacheRead', cacheRead],
        ['cacheWrite', cacheWrite],
      ];
      return [['requests', metric.requests], ...tokens.filter((entry): entry is [QueryRoleName, MetricSourceSpec] => entry[1] !== undefined)];
    }
    case 'alarm':
      return [];
  }
}

/**
 * The GetMetricData queries for a policy: every metric, both arms. The canary is the target
 * version and the baseline the current version, observed at the same time on the same traffic.
 */
export function buildQueries(policy: Policy, target: LambdaTarget, periodSeconds: number): QueryPlan {
  const queries: MetricQuery[] = [];
  const roles = new Map<string, QueryRole[]>();
  // GetMetricData is billed per metric requested: an identical statistic (same metric, dimensions and
  // stat) needed by several policy metrics is requested once.
  const idByQuery = new Map<string, string>();
  const versions: Record<Arm, string> = { canary: target.targetVersion, baseline: target.currentVersion };
  policy.metrics.forEach((metric, index) => {
    if (metric.kind === 'alarm') return;
    for (const arm of ['canary', 'baseline'] as const) {
      for (const [role, stat] of statsOf(metric)) {
        const id0 = `m${index}_${arm}_${role}`;
        const query: MetricQuery = isMetricExpression(stat)
          ? { id: id0, expression: fillPlaceholders(stat.expression, target, versions[arm]), period: periodSeconds }
          : {
              id: id0,
              namespace: stat.namespace,
              metricName: stat.metricName,
              dimensions: versionDimensions(stat, metric.versioning, target, versions[arm]),
              stat: stat.stat,
              period: periodSeconds,
            };
        const key = isExpressionQuery(query)
          ? JSON.stringify(['expression', query.expression])
          : JSON.stringify([query.namespace, query.metricName, Object.entries(query.dimensions).sort(), query.stat]);
        let id = idByQuery.get(key);
        if (!id) {
          id = query.id;
          idByQuery.set(key, id);
          queries.push(query);
        }
        roles.set(id, [...(roles.get(id) ?? []), { metric: metric.name, arm, role }]);
      }
    }
  });
  return { queries, roles };
}
