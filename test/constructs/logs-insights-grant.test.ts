import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { logsInsightsQueryStatements } from '../../lib/constructs/logs/logs-insights-grant';
import { checkStatement, render, statementsOf } from './support/iam-reference';

/** The log signal's statements: checked against the Service Authorization Reference and simulated (iam-simulate). */
const ACCOUNT = '123456789012';
const GROUPS = ['/aws/lambda/checkout', '/ecs/checkout'];

function synthesized() {
  const stack = new Stack(new App(), 'Logs', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const role = new iam.Role(stack, 'EvaluateRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  for (const statement of logsInsightsQueryStatements(stack, GROUPS)) role.addToPolicy(statement);
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

describe('Logs Insights query statements', () => {
  const template = synthesized();

  test('every action exists and each resource matches its resource type (StopQuery is wildcard-only)', async () => {
    const statements = statementsOf(template as never);
    expect(statements.flatMap((s) => s.actions).sort()).toEqual(['logs:GetQueryResults', 'logs:StartQuery', 'logs:StopQuery']);
    const findings = (await Promise.all(statements.map(checkStatement))).flat();
    expect(findings).toEqual([]);
  });

  test('simulated: queries allowed on the registered log groups only', async () => {
    const [policy] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const document = JSON.parse(JSON.stringify((policy.Properties as { PolicyDocument: unknown }).PolicyDocument, (_key, value) => (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && Object.keys(value)[0].startsWith('Fn::') ? render(value, template as never) : value)));
    const simulate = async (action: string, resource: string) => {
      const response = await runSimulation(
        { request: { principal: `arn:aws:iam::${ACCOUNT}:role/EvaluateRole`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} }, identityPolicies: [{ name: 'logs', policy: document }], serviceControlPolicies: [], resourceControlPolicies: [] },
        {},
      );
      return response.resultType === 'error' ? `error: ${JSON.stringify(response.errors)}` : response.overallResult;
    };
    const arn = (group: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${group}`;
    for (const group of GROUPS) {
      expect(await simulate('logs:StartQuery', arn(group))).toBe('Allowed');
      expect(await simulate('logs:GetQueryResults', arn(group))).toBe('Allowed');
      expect(await simulate('logs:StartQuery', `${arn(group)}:*`)).toBe('Allowed');
    }
    expect(await simulate('logs:StartQuery', arn('/aws/lambda/payroll'))).not.toBe('Allowed');
    expect(await simulate('logs:GetQueryResults', arn('/aws/lambda/payroll'))).not.toBe('Allowed');
    expect(await simulate('logs:StopQuery', '*')).toBe('Allowed');
    expect(await simulate('logs:GetLogEvents', arn(GROUPS[0]))).not.toBe('Allowed');
  });

  test('no log group is a clear error', () => {
    expect(() => logsInsightsQueryStatements(new Stack(), [])).toThrow(/policy `logs.logGroups`/);
  });
});
