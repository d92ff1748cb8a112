import { isExpressionQuery, type MetricQuery, type MetricSeriesResult, type MetricSource, type TimeWindow } from '../../evaluation/ports';
import { Random } from '../random';

/** How one revision behaves behind its target group. */
export interface RevisionBehaviour {
  readonly errorRate: number;
}

export interface TargetGroupWorld {
  /** `targetgroup/<name>/<id>` of green (the new revision) and blue. */
  readonly green: string;
  readonly blue: string;
  readonly requestsPerMinute: number;
  readonly greenBehaviour: RevisionBehaviour;
  readonly blueBehaviour: RevisionBehaviour;
  /** The green revision's production weight (percent) at an instant: the ALB listener rule's split. */
  readonly greenWeightAt: (at: Date) => number;
  readonly metricLagMinutes: number;
  readonly seed: number;
}

/**
 * ALB target-group metrics (`AWS/ApplicationELB`: `RequestCount`, `HTTPCode_Target_5XX_Count`, Sum, by
 * `TargetGroup`) of an ECS native deployment, drawn minute by minute: Poisson requests split between the
 * target groups by the listener's weights at that minute, binomial 5xx. A minute is visible `metricLagMinutes`
 * after it ends; a target group with no requests in a minute has no datapoint, as in CloudWatch.
 */
export class SimulatedTargetGroupMetrics implements MetricSource {
  private readonly minutes = new Map<number, { green: { requests: number; errors: number }; blue: { requests: number; errors: number } }>();
  private readonly random: Random;

  constructor(
    private readonly world: TargetGroupWorld,
    private readonly now: () => Date,
  ) {
    this.random = Random.seeded(world.seed, 'ecs-native-target-groups');
  }

  private minute(startSeconds: number) {
    let drawn = this.minutes.get(startSeconds);
    if (!drawn) {
      const total = this.random.poisson(this.world.requestsPerMinute);
      const weight = Math.min(100, Math.max(0, this.world.greenWeightAt(new Date(startSeconds * 1000)))) / 100;
      const greenRequests = this.random.binomial(total, weight);
      const blueRequests = total - greenRequests;
      drawn = {
        green: { requests: greenRequests, errors: this.random.binomial(greenRequests, this.world.greenBehaviour.errorRate) },
        blue: { requests: blueRequests, errors: this.random.binomial(blueRequests, this.world.blueBehaviour.errorRate) },
      };
      this.minutes.set(startSeconds, drawn);
    }
    return drawn;
  }

  async getMetricData(queries: readonly MetricQuery[], range: TimeWindow): Promise<MetricSeriesResult[]> {
    const nowSeconds = this.now().getTime() / 1000;
    return queries.map((query) => {
      if (isExpressionQuery(query)) throw new Error(`query ${query.id}: metric-math expressions are not simulated`);
      const arm = query.dimensions.TargetGroup === this.world.green ? 'green' : query.dimensions.TargetGroup === this.world.blue ? 'blue' : undefined;
      const field = query.metricName === 'RequestCount' ? 'requests' : query.metricName === 'HTTPCode_Target_5XX_Count' ? 'errors' : undefined;
      const timestamps: number[] = [];
      const values: number[] = [];
      if (!arm || !field || query.namespace !== 'AWS/ApplicationELB') return { id: query.id, timestamps, values };
      const start = Math.ceil(range.start.getTime() / 1000 / query.period) * query.period;
      for (let t = start; t + query.period <= range.end.getTime() / 1000; t += query.period) {
        let requests = 0;
        let value = 0;
        let visible = true;
        for (let m = t; m < t + query.period; m += 60) {
          if (m + 60 + this.world.metricLagMinutes * 60 > nowSeconds) visible = false;
          const minute = this.minute(m)[arm];
          requests += minute.requests;
          value += minute[field];
        }
        if (!visible || requests === 0) continue;
        timestamps.push(t);
        values.push(value);
      }
      return { id: query.id, timestamps, values };
    });
  }
}
