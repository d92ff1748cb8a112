import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CanaryEvaluator } from '../../lib/constructs';
import { checkSmokeSecretsReachable } from '../../lib/constructs/smoke-secrets';
import { parsePolicy } from '../../lib/policy';
import { ENV, noBundlingApp } from './support/all-options-stack';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token';
/** An ARN the stack formats: its partition is the stack's (a token). */
const stackArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const policyWith = (headers: Record<string, unknown>) =>
  parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests: [{ name: 'h', type: 'http', url: 'https://orders.example.com/health', headers }] });

describe('smoke-test secrets: the smoke role reads those their owners tagged for the evaluator', () => {
  test('one statement per store, whatever the registrations name, conditioned on the registration tag; keys only through Secrets Manager and SSM', () => {
    const stack = new Stack(noBundlingApp(), 'Secrets', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { evaluatorName: 'platform' });
    const smokeRole = stack.getLogicalId(evaluator.smokeFunction.role!.node.defaultChild as never);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(smokeRole));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const tagged = { StringEquals: { 'aws:ResourceTag/canary-evaluator': 'platform' } };
    expect(statements).toContainEqual({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: stackArn(':secretsmanager:us-east-1:123456789012:secret:*'), Condition: tagged });
    expect(statements).toContainEqual({ Action: 'ssm:GetParameter', Effect: 'Allow', Resource: stackArn(':ssm:us-east-1:123456789012:parameter/*'), Condition: tagged });
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: stackArn(':kms:us-east-1:123456789012:key/*'),
      Condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com'] } },
    });
  });

  test('a reference in another account or Region fails synth, naming it and where the evaluator reads', () => {
    const stack = new Stack(noBundlingApp(), 'Secrets', { env: ENV });
    expect(() => checkSmokeSecretsReachable(stack, policyWith({ Authorization: { secret: SECRET.replace('us-east-1', 'eu-west-1') } }), 'Orders/Group')).toThrow(
      'policy of Orders/Group: smoke-test header reference arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/token is in account 123456789012, Region eu-west-1; the evaluator reads secrets and parameters of its own account and Region (123456789012, us-east-1) tagged canary-evaluator=<registrationTag>',
    );
    expect(() => checkSmokeSecretsReachable(stack, policyWith({ 'X-Api-Key': { parameter: 'arn:aws:ssm:us-east-1:210987654321:parameter/orders/key' } }), 'Orders/Group')).toThrow(/account 210987654321/);
    expect(() => checkSmokeSecretsReachable(stack, policyWith({ Authorization: { secret: SECRET }, 'X-Api-Key': { parameter: '/orders/api-key' } }), 'Orders/Group')).not.toThrow();
  });
});
