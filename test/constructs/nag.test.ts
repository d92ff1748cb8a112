import { App, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CanaryEvaluator } from '../../lib/constructs';
import { DemoStack } from '../../lib/demo/demo-stack';

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
});
