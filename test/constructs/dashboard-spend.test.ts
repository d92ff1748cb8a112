import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EvaluatorDashboard } from '../../lib/constructs/evaluator-dashboard';
import { parsePolicy } from '../../lib/policy';
import { lambdaGroupStack } from './support/lambda-group-stack';

function dashboardBody(add: (dashboard: EvaluatorDashboard) => void): string {
  const stack = new Stack(new App(), 'Spend');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  const dashboard = new EvaluatorDashboard(stack, 'Dashboard', { stateMachine, evaluateLogGroup: new logs.LogGroup(stack, 'Logs'), functions: {}, healthAlarms: [] });
  add(dashboard);
  const resources = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');
  return JSON.stringify(Object.values(resources)[0].Properties.DashboardBody);
}

describe('dashboard: spend by version of a registered group', () => {
  const policy = parsePolicy({
    metrics: [
      { preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0' },
      { preset: 'lambda-error-rate' },
    ],
  });

  test('searches each token metric over the version dimension and prices it; requests on the right axis', () => {
    let added: boolean[] = [];
    const body = dashboardBody((dashboard) => (added = policy.metrics.map((metric) => dashboard.addSpendByVersion('orders', metric))));
    // Only the cost metric can be drawn.
    expect(added).toEqual([true, false]);
    // $3 per million input tokens, $15 per million output tokens (the catalog's price for the profile).
    expect(body).toContain(`SEARCH('{\\\\\\"Chat\\\\\\",\\\\\\"ModelId\\\\\\",\\\\\\"Version\\\\\\"} MetricName=\\\\\\"InputTokenCount\\\\\\" \\\\\\"ModelId\\\\\\"=\\\\\\"us.anthropic.claude-sonnet-4-20250514-v1:0\\\\\\"', 'Sum', 60) * 0.000003`);
    expect(body).toContain('* 0.000015');
    expect(body).toContain('MetricName=\\\\\\"Invocations\\\\\\"');
    expect(body).toContain('spend by Version (priced by @pydantic/genai-prices 0.1.8');
  });
});

test('a registration draws the spend of its cost metrics on the evaluator dashboard', async () => {
  const { CanaryEvaluator } = await import('../../lib/constructs');
  const { stack, group } = lambdaGroupStack('Orders');
  new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, {
    policy: { metrics: [{ preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0' }] },
  });
  const body = JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
  expect(body).toContain('Group: bedrock-cost-per-request spend by Version');
  // Spend per request, canary vs baseline: the evaluator's CostPerRequest by exact dimensions, no SEARCH.
  expect(body).toContain('Group: bedrock-cost-per-request spend per request, canary vs baseline');
  // Without JSON escapes: each arm is one metric row by exact dimensions (CDK lists dimensions by name).
  const plain = body.replace(/\\/g, '');
  for (const arm of ['canary', 'baseline']) {
    expect(plain).toMatch(new RegExp(`\\["CanaryEvaluator","CostPerRequest","ApplicationName","",\\{"Ref":"[^"]+"\\},"","Arm","${arm}","DeploymentGroupName","",\\{"Ref":"[^"]+"\\},"","Metric","bedrock-cost-per-request",\\{"label":"${arm} USD per request","period":60\\}\\]`));
  }
  expect(plain).not.toMatch(/SEARCH\([^)]*CostPerRequest/);
});

test('only cost metrics get a spend-per-request widget', () => {
  const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
  const group = { ApplicationName: 'app', DeploymentGroupName: 'orders' };
  let added = true;
  const body = dashboardBody((dashboard) => (added = dashboard.addSpendPerRequest('orders', policy.metrics[0], group)));
  expect(added).toBe(false);
  expect(body).not.toContain('CostPerRequest');
});
