import { isExpressionQuery, type MetricQuery, type MetricSeriesResult, type MetricSource, type MetricStatQuery, type TimeWindow } from '../evaluation';

/** How one Lambda version behaves, minute after minute. */
export interface VersionBehaviour {
  readonly requestsPerMinute: number;
  readonly errorRate: number;
  readonly p99Ms: number;
}

/**
 * A noise-free simulated CloudWatch for Lambda per-version metrics (`ExecutedVersion` dimension), or
 * for ALB target-group metrics of ECS blue/green (`versionDimension: 'TargetGroup'`): every minute has
 * exactly the expected requests and errors. The scenario generator adds noise; this keeps the walking
 * skeleton's demo readable and exact.
 */
export class SteadyMetricSource implements MetricSource {
  constructor(
    private readonly versions: Readonly<Record<string, VersionBehaviour>>,
    private readonly versionDimension = 'ExecutedVersion',
  ) {}

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    return queries.map((query) => {
      if (isExpressionQuery(query)) throw new Error(`query ${query.id}: metric-math expressions are not simulated`);
      const behaviour = this.versions[query.dimensions[this.versionDimension] ?? ''];
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = window.start.getTime() / 1000; t < window.end.getTime() / 1000; t += query.period) {
        const value = behaviour ? this.value(query, behaviour, query.period / 60) : undefined;
        if (value === undefined) continue;
        timestamps.push(t);
        values.push(value);
      }
      return { id: query.id, timestamps, values };
    });
  }

  private value(query: MetricStatQuery, behaviour: VersionBehaviour, minutes: number): number | undefined {
    const requests = behaviour.requestsPerMinute * minutes;
    if (requests <= 0) return undefined;
    switch (query.metricName) {
      case 'Invocations':
      case 'RequestCount':
        return requests;
      case 'Errors':
      case 'HTTPCode_Target_5XX_Count':
        return Math.round(requests * behaviour.errorRate);
      case 'Duration':
        return behaviour.p99Ms;
      default:
        return undefined;
    }
  }
}
