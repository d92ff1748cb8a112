import type { MetricDefinition, MetricStat, Policy, Versioning } from '../policy';
import { isMetricExpression, type MetricSourceSpec } from '../policy/metric-source';
import type { Arm } from '../judge';
import type { DeploymentTarget } from './state';
import { isExpressionQuery, type MetricQuery } from './ports';

/** Which query feeds which part of which metric's observations. */
export type QueryRoleName = 'count' | 'total' | 'value' | 'requests' | 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'reasoning';

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

/**
 * Dimensions that select one arm of a metric: the target version (canary) or the current version
 * (baseline) of a Lambda function, or the replacement (canary) or original (baseline) task set's
 * target group of an ECS service. `metric` names the policy metric in errors.
 */
export function versionDimensions(stat: MetricStat, versioning: Versioning, target: DeploymentTarget, arm: Arm, metric = stat.metricName): Record<string, string> {
  if (versioning.type === 'lambda-alias') {
    if (target.type !== 'lambda') {
      throw new Error(`metric ${metric}: versioning lambda-alias reads Lambda per-version metrics, but this is an ECS deployment; use alb-target-group versioning (e.g. the alb-5xx-rate or alb-slow-requests preset)`);
    }
    // Lambda Developer Guide, "Types of metrics for Lambda functions": per-version metrics of
    // invocations through an alias carry FunctionName, Resource=<fn>:<alias> and ExecutedVersion.
    return {
      ...stat.dimensions,
      FunctionName: target.functionName,
      Resource: `${target.functionName}:${target.alias}`,
      ExecutedVersion: arm === 'canary' ? target.targetVersion : target.currentVersion,
    };
  }
  if (versioning.type === 'alb-target-group') {
    if (target.type !== 'ecs') {
      throw new Error(`metric ${metric}: versioning alb-target-group reads ALB target-group metrics of an ECS blue/green deployment, but this is a Lambda deployment; use lambda-alias versioning (e.g. the lambda-error-rate preset)`);
    }
    // ELB User Guide, "CloudWatch metrics for your Application Load Balancer": per-target-group metrics
    // carry LoadBalancer and TargetGroup; each task set is served by its own target group.
    return {
      ...stat.dimensions,
      LoadBalancer: target.loadBalancer,
      TargetGroup: arm === 'canary' ? target.canaryTargetGroup : target.baselineTargetGroup,
    };
  }
  if (target.type === 'ecs') {
    // The AppSpec names only the replacement task definition; the original task set's is not known
    // without ECS DescribeTaskSets, so the baseline's version value cannot be filled in.
    throw new Error(
      `metric ${metric}: versioning by the ${versioning.dimension} dimension is not supported for ECS deployments (the original task set's version is unknown to CodeDeploy's AppSpec); use alb-target-group versioning, or metrics the ALB target groups separate`,
    );
  }
  return { ...stat.dimensions, [versioning.dimension]: arm === 'canary' ? target.targetVersion : target.currentVersion };
}

/**
 * Fills a metric-math expression's placeholders for one arm: `${VERSION}` is the arm's Lambda version,
 * or for ECS the arm's target group (`targetgroup/<name>/<id>`); `${FUNCTION}` and `${ALIAS}` (Lambda)
 * and `${LOAD_BALANCER}` (ECS) are shared by both arms.
 */
export function fillPlaceholders(expression: string, target: DeploymentTarget, arm: Arm): string {
  if (target.type === 'ecs') {
    const targetGroup = arm === 'canary' ? target.canaryTargetGroup : target.baselineTargetGroup;
    return expression.replaceAll('${VERSION}', targetGroup).replaceAll('${LOAD_BALANCER}', target.loadBalancer);
  }
  const version = arm === 'canary' ? target.targetVersion : target.currentVersion;
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
      const { input, output, cacheRead, cacheWrite, reasoning } = metric.tokens;
      const tokens: Array<[QueryRoleName, MetricSourceSpec | undefined]> = [
        ['input', input],
        ['output', output],
        ['cacheRead', cacheRead],
        ['cacheWrite', cacheWrite],
        ['reasoning', reasoning],
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
export function buildQueries(policy: Policy, target: DeploymentTarget, periodSeconds: number): QueryPlan {
  const queries: MetricQuery[] = [];
  const roles = new Map<string, QueryRole[]>();
  // GetMetricData is billed per metric requested: an identical statistic (same metric, dimensions and
  // stat) needed by several policy metrics is requested once.
  const idByQuery = new Map<string, string>();
  policy.metrics.forEach((metric, index) => {
    if (metric.kind === 'alarm') return;
    for (const arm of ['canary', 'baseline'] as const) {
      for (const [role, stat] of statsOf(metric)) {
        const id0 = `m${index}_${arm}_${role}`;
        const query: MetricQuery = isMetricExpression(stat)
          ? { id: id0, expression: fillPlaceholders(stat.expression, target, arm), period: periodSeconds }
          : {
              id: id0,
              namespace: stat.namespace,
              metricName: stat.metricName,
              dimensions: versionDimensions(stat, metric.versioning, target, arm, metric.name),
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
