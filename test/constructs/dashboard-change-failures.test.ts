import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EvaluatorDashboard } from '../../lib/constructs/evaluator-dashboard';

/** The dashboard's widgets, with the CloudFormation tokens of the body joined back into text. */
function widgets(reportBucketName?: string): Array<{ type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][] } }> {
  const stack = new Stack(new App(), 'ChangeFailures');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  new EvaluatorDashboard(stack, 'Dashboard', { stateMachine, evaluateLogGroup: new logs.LogGroup(stack, 'Logs'), functions: {}, healthAlarms: [], ...(reportBucketName ? { reportBucketName } : {}) });
  const body = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text).widgets;
}

describe('dashboard: change failures caught vs escaped', () => {
  test('one graph draws the evaluator’s rollbacks (caught) and ChangeFailures Kind=Escaped, beside the DORA definitions it follows', () => {
    const all = widgets('report-bucket');
    const graph = all.find((widget) => widget.properties.title === 'Change failures: caught vs escaped');
    expect(graph).toBeDefined();
    const expressions = JSON.stringify(graph?.properties.metrics);
    expect(expressions).toContain('MetricName=\\"Rollbacks\\"');
    expect(expressions).toContain('Rollbacks (change failures caught)');
    expect(expressions).toContain(`SEARCH('{CanaryEvaluator,ApplicationName,DeploymentGroupName,Kind} MetricName=\\"ChangeFailures\\" Kind=\\"Escaped\\"', 'Sum', 86400)`);
    const text = all.find((widget) => widget.properties.markdown?.startsWith('### Caught vs escaped'))?.properties.markdown ?? '';
    expect(text).toContain('https://dora.dev/guides/dora-metrics-four-keys/');
    expect(text).toContain('the ratio of deployments that require immediate intervention following a deployment');
    expect(text).toContain('`Kind=Escaped`');
  });

  test('without the report bucket (where each group’s last promotion is kept) it draws caught only and says escaped is not tracked', () => {
    const all = widgets();
    const graph = all.find((widget) => widget.properties.title === 'Change failures: caught vs escaped');
    expect(JSON.stringify(graph?.properties.metrics)).not.toContain('ChangeFailures');
    expect(all.some((widget) => widget.properties.markdown?.includes('**Escaped**: not tracked'))).toBe(true);
  });
});
