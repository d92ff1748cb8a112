import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { resolvePrices, type PriceOverride, type ResolvedPrices } from '../policy';
import { unknownModelMessage } from '../policy/prices';

/**
 * Token metrics of `AWS/Bedrock`, by the `ModelId` dimension (Amazon Bedrock User Guide, "Monitor
 * bedrock-runtime inference using CloudWatch metrics"). They carry no version dimension, so they cannot
 * be judged canary vs baseline: they guard the model's spend as a whole.
 */
export const BEDROCK_TOKEN_METRICS = {
  input: 'InputTokenCount',
  output: 'OutputTokenCount',
  cacheRead: 'CacheReadInputTokenCount',
  cacheWrite: 'CacheWriteInputTokenCount',
} as const;

/** Properties of a {@link BedrockSpendGuard}. */
export interface BedrockSpendGuardProps {
  /** Bedrock model id or inference profile id, as the `ModelId` dimension carries it. */
  readonly modelId: string;
  /** The bound: the alarm fires when the model's spend exceeds this many USD per minute. */
  readonly maxUsdPerMinute: number;
  /**
   * Prices to use instead of the catalog's (negotiated discounts).
   * @default - the catalog's prices for `modelId`
   */
  readonly prices?: PriceOverride;
  /**
   * Consecutive minutes above the bound before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/**
 * An absolute guard on a Bedrock model's token spend: USD per minute (tokens × price by token type,
 * in metric math) above a bound puts the alarm in ALARM. Give `alarm` to the deployment group's alarm
 * configuration (or the hook's alarm gate) so a release that makes the model as a whole spend more
 * than the bound fails while it is evaluated.
 */
export class BedrockSpendGuard extends Construct {
  /** The alarm on the model's spend per minute. */
  public readonly alarm: cloudwatch.Alarm;
  /** The spend per minute (USD), for dashboards. */
  public readonly spendPerMinute: cloudwatch.MathExpression;
  /** The prices the spend is computed with, and where they came from. */
  public readonly prices: ResolvedPrices;

  constructor(scope: Construct, id: string, props: BedrockSpendGuardProps) {
    super(scope, id);
    const where = `BedrockSpendGuard ${this.node.path}`;
    if (!Number.isFinite(props.maxUsdPerMinute) || props.maxUsdPerMinute <= 0) {
      throw new Error(`${where}: maxUsdPerMinute must be a finite number of USD above 0 (a bound at or below 0 always fires, an infinite one never does); got ${props.maxUsdPerMinute}`);
    }
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    // An alarm evaluates at most one day of periods (PutMetricAlarm: EvaluationPeriods × Period ≤ 86,400 s).
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || evaluationPeriods > 1440) {
      throw new Error(`${where}: evaluationPeriods must be a whole number of minutes from 1 to 1440 (CloudWatch evaluates at most one day); got ${evaluationPeriods}`);
    }
    const prices = resolvePrices(props.modelId, props.prices);
    if (!prices) throw new Error(`${where}: ${unknownModelMessage(props.modelId, 'props.prices')}`);
    this.prices = prices;

    const period = Duration.minutes(1);
    const types = Object.keys(BEDROCK_TOKEN_METRICS) as (keyof typeof BEDROCK_TOKEN_METRICS)[];
    const usingMetrics = Object.fromEntries(
      types.map((type) => [type, new cloudwatch.Metric({ namespace: 'AWS/Bedrock', metricName: BEDROCK_TOKEN_METRICS[type], dimensionsMap: { ModelId: props.modelId }, statistic: 'Sum', period })]),
    );
    // A minute with no cache traffic has no data point; FILL keeps the sum defined (CloudWatch User Guide, "Metric math syntax and functions").
    const expression = types.map((type) => `FILL(${type}, 0) * ${prices[type] / 1e6}`).join(' + ');
    this.spendPerMinute = new cloudwatch.MathExpression({ expression, usingMetrics, period, label: `${props.modelId} USD per minute (${prices.source}, ${prices.date})` });
    this.alarm = this.spendPerMinute.createAlarm(this, 'Alarm', {
      alarmDescription: `${props.modelId} spends more than ${props.maxUsdPerMinute} USD per minute (priced by ${prices.source}, ${prices.date})`,
      threshold: props.maxUsdPerMinute,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
