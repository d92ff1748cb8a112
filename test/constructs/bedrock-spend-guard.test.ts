import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BedrockSpendGuard } from '../../lib/constructs';

const model = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

function synth(props: Partial<ConstructorParameters<typeof BedrockSpendGuard>[2]> = {}) {
  const stack = new Stack(new App(), 'Guard');
  const guard = new BedrockSpendGuard(stack, 'Spend', { modelId: model, maxUsdPerMinute: 2, ...props });
  return { guard, template: Template.fromStack(stack) };
}

describe('BedrockSpendGuard', () => {
  test('alarms on the model spend per minute: AWS/Bedrock token sums by ModelId times the catalog prices', () => {
    const { guard, template } = synth({ evaluationPeriods: 3 });
    expect(guard.prices).toMatchObject({ input: 3, output: 15 });
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const [alarm] = Object.values(alarms) as { Properties: Record<string, unknown> }[];
    expect(Object.keys(alarms)).toHaveLength(1);
    expect(alarm.Properties).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
    const queries = alarm.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Stat: string; Period: number } }[];
    const expression = queries.find((query) => query.Expression)?.Expression;
    expect(expression).toBe(
      `FILL(input, 0) * ${3 / 1e6} + FILL(output, 0) * ${15 / 1e6} + FILL(cacheRead, 0) * ${guard.prices.cacheRead / 1e6} + FILL(cacheWrite, 0) * ${guard.prices.cacheWrite / 1e6}`,
    );
    const stats = Object.fromEntries(queries.filter((query) => query.MetricStat).map((query) => [query.Id, query.MetricStat]));
    expect(stats).toEqual({
      input: { Metric: { Namespace: 'AWS/Bedrock', MetricName: 'InputTokenCount', Dimensions: [{ Name: 'ModelId', Value: model }] }, Stat: 'Sum', Period: 60 },
      output: { Metric: { Namespace: 'AWS/Bedrock', MetricName: 'OutputTokenCount', Dimensions: [{ Name: 'ModelId', Value: model }] }, Stat: 'Sum', Period: 60 },
      cacheRead: { Metric: { Namespace: 'AWS/Bedrock', MetricName: 'CacheReadInputTokenCount', Dimensions: [{ Name: 'ModelId', Value: model }] }, Stat: 'Sum', Period: 60 },
      cacheWrite: { Metric: { Namespace: 'AWS/Bedrock', MetricName: 'CacheWriteInputTokenCount', Dimensions: [{ Name: 'ModelId', Value: model }] }, Stat: 'Sum', Period: 60 },
    });
  });

  test('an override prices the spend instead of the catalog', () => {
    const { guard, template } = synth({ prices: { input: 1, output: 5, date: '2026-12-01' } });
    expect(guard.prices).toMatchObject({ input: 1, output: 5, source: 'policy override', date: '2026-12-01' });
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { Metrics: { Expression?: string }[] } }[];
    expect(alarm.Properties.Metrics.find((query) => query.Expression)?.Expression).toContain(`FILL(output, 0) * ${5 / 1e6}`);
  });

  test.each([0, -1, Number.POSITIVE_INFINITY, Number.NaN])('a bound of %p that always or never fires is an error naming the field', (bound) => {
    expect(() => synth({ maxUsdPerMinute: bound })).toThrow(/BedrockSpendGuard Guard\/Spend: maxUsdPerMinute must be a finite number of USD above 0/);
  });

  test.each([0, 1.5, 1441])('evaluationPeriods %p CloudWatch would reject is an error naming the field', (periods) => {
    expect(() => synth({ evaluationPeriods: periods })).toThrow(/evaluationPeriods must be a whole number of minutes from 1 to 1440/);
  });

  test('a model neither the catalog nor an override prices is an error naming the override', () => {
    expect(() => synth({ modelId: 'acme.unknown-model-v1' })).toThrow(/model "acme.unknown-model-v1" is not in the price catalog.*props\.prices/);
  });
});
