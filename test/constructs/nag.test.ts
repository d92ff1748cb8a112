import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CanaryEvaluator } from '../../lib/constructs';
import { DemoStack } from '../../lib/demo/demo-stack';
import { allOptionsStack } from './support/all-options-stack';

const env = { account: '123456789012', region: 'us-east-1' };
const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

function findings(scope: IConstruct): string[] {
  const packs: NagPack[] = [new AwsSolutionsChecks(), new ServerlessChecks()];
  return packs.flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`)),
  );
}

describe('cdk-nag (AwsSolutions, Serverless)', () => {
  test('the demo app (one Lambda and one ECS service protected) has no unacknowledged finding', () => {
    expect(findings(new DemoStack(noBundling(), 'Demo', { env }))).toEqual([]);
  });

  // Issue 24 finding 5: the all-options app had 22 (the revision bucket's s3:GetObject*/GetBucket*/List* grant, the fixture's services).
  test('the all-options app (every option that changes IAM, fixture services included) has no unacknowledged finding', () => {
    expect(findings(allOptionsStack().stack)).toEqual([]);
  });

  test('the evaluator with a customer managed key has no unacknowledged finding', () => {
    const stack = new Stack(noBundling(), 'Encrypted', { env });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), notifications: { on: 'every-verdict' } });
    evaluator.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' }] }, alias });
    expect(findings(evaluator)).toEqual([]);
  });

  test('smoke-test headers read from a secret (partial ARN) and a SecureString with a customer key have no unacknowledged finding', () => {
    const stack = new Stack(noBundling(), 'Secrets', { env });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', {});
    const headers = {
      Authorization: { secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token', prefix: 'Bearer ' },
      'X-Api-Key': { parameter: '/orders/api-key', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    };
    const policy = { metrics: [{ preset: 'lambda-error-rate' as const }], smokeTests: [{ name: 'health', type: 'http' as const, url: 'https://orders.example.com/health', headers }] };
    evaluator.registerLambdaDeploymentGroup(group, { policy, alias, allowedSmokeTestHosts: ['orders.example.com'] });
    // The whole stack, where the registration's grants live; the fixture's own function and group are not ours to fix.
    expect(findings(stack).filter((finding) => !/ at Secrets\/(Fn|Group)\//.test(finding))).toEqual([]);
  });

  test('notifications to Slack and Teams channels (topic with the AWS managed SNS key) have no unacknowledged finding', () => {
    const stack = new Stack(noBundling(), 'Notified', { env });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', {
      notifications: {
        slackChannel: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
        teamsChannel: { teamId: '5f0c2e9a-1111-4222-8333-944455556666', teamsChannelId: '19%3aabc%40thread.tacv2', teamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666' },
      },
    });
    expect(findings(evaluator)).toEqual([]);
  });

  // Issue 24 finding 5: the reason named X-Ray and CloudWatch only, not the wildcard-only CodeDeploy actions granted later.
  test('every IAM5[Resource::*] acknowledgement names every action its role has on "*", written from the statements', () => {
    const { stack } = allOptionsStack();
    const roles = stack.node.findAll().filter((c): c is iam.Role => c instanceof iam.Role && c.node.tryFindChild('DefaultPolicy') !== undefined);
    const checked: string[] = [];
    for (const role of roles) {
      const reason = role.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>))
        .filter(([id]) => id.endsWith('AwsSolutions-IAM5[Resource::*]'))
        .map(([, acknowledged]) => stack.resolve(acknowledged) as string | undefined)
        .find((r) => r !== undefined);
      if (reason === undefined) continue;
      const document = stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON()) as { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
      const wildcardActions = document.Statement.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat());
      expect({ role: role.node.path, missing: wildcardActions.filter((action) => !reason.includes(action)) }).toEqual({ role: role.node.path, missing: [] });
      checked.push(role.node.path);
    }
    // The five evaluator functions and the four hooks, the watch with StopDeployment and the deployment-target reads.
    expect(checked.length).toBeGreaterThanOrEqual(9);
    expect(checked.join()).toMatch(/Watch/);
  });
});
