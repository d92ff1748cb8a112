import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BedrockSpendGuard, type BedrockSpendGuardProps } from '../../lib/constructs/bedrock-spend-guard';
import { lambdaGroupStack } from './support/lambda-group-stack';

const MODEL = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

function guardIn(props: BedrockSpendGuardProps): { stack: Stack; guard: BedrockSpendGuard } {
  const stack = new Stack(new App(), 'Chat');
  return { stack, guard: new BedrockSpendGuard(stack, 'Guard', props) };
}

describe('BedrockSpendGuard: an absolute bound on the spend of a Bedrock model', () => {
  test('alarms on the priced AWS/Bedrock token metrics of the model, per minute, above the bound', () => {
    const { stack } = guardIn({ modelId: MODEL, maxUsdPerMinute: 2, minutesOverBound: 3 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(input, 0\\) \\* 0\\.000003 \\+ FILL\\(output, 0\\) \\* 0\\.000015') }),
        Match.objectLike({
          Id: 'input',
          ReturnData: false,
          MetricStat: { Metric: { Namespace: 'AWS/Bedrock', MetricName: 'InputTokenCount', Dimensions: [{ Name: 'ModelId', Value: MODEL }] }, Period: 60, Stat: 'Sum' },
        }),
        Match.objectLike({ Id: 'cacheRead', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'CacheReadInputTokenCount' }) }) }),
        Match.objectLike({ Id: 'cacheWrite', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'CacheWriteInputTokenCount' }) }) }),
      ]),
    });
  });

  test('an override replaces the catalog price; a zero-priced token type is left out of the sum', () => {
    const { stack, guard } = guardIn({ modelId: MODEL, maxUsdPerMinute: 1, prices: { input: 1, output: 5, cacheRead: 0, cacheWrite: 0, date: '2026-11-01' } });
    expect(guard.prices.source).toBe('policy override');
    const alarm = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))[0];
    const expression = alarm.Properties.Metrics.find((query: { Expression?: string }) => query.Expression).Expression;
    expect(expression).toBe('FILL(input, 0) * 0.000001 + FILL(output, 0) * 0.000005');
  });

  test('policyMetric is an alarm-gate metric on the guard alarm', () => {
    const { stack, guard } = guardIn({ modelId: MODEL, maxUsdPerMinute: 2, alarmName: 'chat-bedrock-spend' });
    expect(guard.policyMetric).toEqual({ kind: 'alarm', name: 'bedrock-spend-Guard', alarmNames: ['chat-bedrock-spend'] });
    expect(guardIn({ modelId: MODEL, maxUsdPerMinute: 2 }).guard.alarmName).toMatch(/^\$\{Token/);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'chat-bedrock-spend' });
  });

  test.each<[string, Partial<BedrockSpendGuardProps>, string]>([
    ['a bound of zero', { maxUsdPerMinute: 0 }, 'Chat/Guard: maxUsdPerMinute: expected a positive finite number'],
    ['an infinite bound', { maxUsdPerMinute: Infinity }, 'maxUsdPerMinute: expected a positive finite number'],
    ['more than a day of periods', { minutesOverBound: 1441 }, 'minutesOverBound: expected a whole number from 1 to 1440'],
    ['a fractional period count', { minutesOverBound: 1.5 }, 'minutesOverBound: expected a whole number'],
    ['all prices zero', { prices: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, date: '2026-11-01' } }, 'prices: every token price is 0'],
    ['a malformed override', { prices: { input: 1, output: 2, date: 'soon' } }, 'prices.date:'],
    ['a model the catalog lacks', { modelId: 'acme.unknown-model-v1' }, 'modelId: model "acme.unknown-model-v1" is not in the price catalog'],
  ])('%s is refused with the field', (_, override, message) => {
    expect(() => guardIn({ modelId: MODEL, maxUsdPerMinute: 2, ...override })).toThrow(message);
  });
});

test('a registration with the guard in its policy lets the evaluator read the guard alarm (generated name)', async () => {
  const { CanaryEvaluator } = await import('../../lib/constructs');
  const { stack, group } = lambdaGroupStack('Orders');
  const guard = new BedrockSpendGuard(stack, 'ChatSpend', { modelId: MODEL, maxUsdPerMinute: 5 });
  new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' }, guard.policyMetric] } });
  const template = Template.fromStack(stack);
  // The alarm's generated name is only known at deploy time: the evaluate and watch roles read every alarm of the account and Region.
  const reads = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
    .filter((statement) => [statement.Action].flat().includes('cloudwatch:DescribeAlarms'));
  expect(reads).toHaveLength(2);
  for (const statement of reads) expect(JSON.stringify(statement.Resource)).toMatch(/:cloudwatch:us-east-1:\d{12}:alarm:\*"\]\]\}$/);
});

test('the guard has no cdk-nag finding (AwsSolutions, Serverless)', async () => {
  const { AwsSolutionsChecks, ServerlessChecks } = await import('cdk-nag');
  const { guard } = guardIn({ modelId: MODEL, maxUsdPerMinute: 2 });
  const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(guard).violations.map((violation) => violation.ruleName));
  expect(violations).toEqual([]);
});
