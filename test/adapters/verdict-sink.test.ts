import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { costPerRequestFigures } from '../../lib/evaluation/verdict-metric';

const cloudwatch = mockClient(CloudWatchClient);
beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

const subject = { deploymentId: 'd-1', applicationName: 'app', deploymentGroupName: 'group', lifecycleEvent: 'AfterAllowTraffic' };

test('a tick sends VerdictFailed and each arm’s CostPerRequest in one PutMetricData call, by exact dimensions', async () => {
  const figures = costPerRequestFigures({
    metrics: [
      { metric: 'spend', method: 'cost', canary: { periods: 5, requests: 500, costPerRequest: 0.003 }, baseline: { periods: 5, requests: 4500, costPerRequest: 0.001 } },
      { metric: 'errors', method: 'sequential', canary: { periods: 5, count: 3, total: 500 }, baseline: { periods: 5, count: 20, total: 4500 } },
    ],
  });
  expect(figures).toEqual([
    { metric: 'spend', arm: 'canary', usd: 0.003 },
    { metric: 'spend', arm: 'baseline', usd: 0.001 },
  ]);
  await new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({})).publishTick(subject, false, figures);
  const calls = cloudwatch.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  const data = calls[0].args[0].input.MetricData!;
  expect(calls[0].args[0].input.Namespace).toBe('CanaryEvaluator');
  expect(data.map((datum) => datum.MetricName)).toEqual(['VerdictFailed', 'CostPerRequest', 'CostPerRequest']);
  expect(data[1]).toMatchObject({
    Value: 0.003,
    Dimensions: [
      { Name: 'ApplicationName', Value: 'app' },
      { Name: 'DeploymentGroupName', Value: 'group' },
      { Name: 'Metric', Value: 'spend' },
      { Name: 'Arm', Value: 'canary' },
    ],
  });
  expect(data[2]).toMatchObject({ Value: 0.001, Dimensions: expect.arrayContaining([{ Name: 'Arm', Value: 'baseline' }]) });
});

test('an arm without priced requests publishes nothing for it', () => {
  expect(costPerRequestFigures({ metrics: [{ metric: 'spend', method: 'cost', canary: { periods: 5, requests: 500, costPerRequest: 0.002 }, baseline: { periods: 5, requests: 0 } }] })).toEqual([{ metric: 'spend', arm: 'canary', usd: 0.002 }]);
});
