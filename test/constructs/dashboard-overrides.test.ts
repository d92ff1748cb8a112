import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EvaluatorDashboard } from '../../lib/constructs/evaluator-dashboard';

type Widget = { type: string; x: number; y: number; width: number; properties: { title?: string; markdown?: string; metrics?: unknown[][] } };

/** The dashboard's widgets, with the CloudFormation tokens of the body joined back into text. */
function widgets(): Widget[] {
  const stack = new Stack(new App(), 'Overrides');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  new EvaluatorDashboard(stack, 'Dashboard', { stateMachine, evaluateLogGroup: new logs.LogGroup(stack, 'Logs'), functions: {}, healthAlarms: [] });
  const body = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text).widgets;
}

describe('dashboard: break-glass overrides', () => {
  test('one graph draws Overrides by Action (skip, promote, rollback, refused), as the verdict sink publishes it', () => {
    const graph = widgets().find((widget) => widget.properties.title === 'Break-glass overrides per day, by action');
    expect(graph).toBeDefined();
    const expressions = JSON.stringify(graph?.properties.metrics);
    for (const action of ['skip', 'promote', 'rollback', 'refused']) {
      expect(expressions).toContain(`SUM(SEARCH('{CanaryEvaluator,ApplicationName,DeploymentGroupName,Action} MetricName=\\"Overrides\\" Action=\\"${action}\\"', 'Sum', 86400))`);
    }
    expect(expressions).toContain('Refused (verdict unchanged)');
  });

  test('it sits right under the deployment-quality graphs, beside a line saying what an override is and the command', () => {
    const all = widgets();
    const quality = all.find((widget) => widget.properties.title === 'Verdicts, rollbacks and inconclusive per day');
    const graph = all.find((widget) => widget.properties.title === 'Break-glass overrides per day, by action');
    const text = all.find((widget) => widget.properties.markdown?.startsWith('### Overrides'));
    expect(all.indexOf(graph!)).toBe(all.indexOf(quality!) + 3);
    expect(text?.y).toBe(graph?.y);
    expect(text?.x).toBe(graph!.x + graph!.width);
    expect(text?.properties.markdown).toContain('skip, promote or roll back instead of judging');
    expect(text?.properties.markdown).toContain('`canary-eval override <deployment-id> --skip|--promote|--rollback --reason "…"`');
  });
});
