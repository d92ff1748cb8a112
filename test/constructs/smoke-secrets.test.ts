import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { grantSmokeSecrets } from '../../lib/constructs/smoke-secrets';
import { parsePolicy } from '../../lib/policy';
import { ENV, noBundlingApp } from './support/all-options-stack';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** An ARN the stack formats: its partition is the stack's (a token). */
const stackArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

/** The statements `grantSmokeSecrets` gives a role for these headers. */
function statementsFor(headers: Record<string, unknown>): unknown[] {
  const stack = new Stack(noBundlingApp(), 'Secrets', { env: ENV });
  const role = new iam.Role(stack, 'Smoke', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests: [{ name: 'h', type: 'http', url: 'https://orders.example.com/health', headers }] });
  grantSmokeSecrets(stack, role, policy);
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((resource) => (resource as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement);
}

describe('grantSmokeSecrets: the smoke role reads exactly the secrets the headers name', () => {
  test('a partial secret ARN with the six-character suffix wildcard, a complete one exactly, a parameter by its ARN without the leading slash', () => {
    expect(statementsFor({ Authorization: { secret: SECRET }, 'X-Other': { secret: `${SECRET}-AbC123`, jsonKey: 'k' }, 'X-Api-Key': { parameter: '/orders/api-key' } })).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: [`${SECRET}-??????`, `${SECRET}-AbC123`] },
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: stackArn(':ssm:us-east-1:123456789012:parameter/orders/api-key') },
    ]);
  });

  test('a customer managed key: kms:Decrypt on it, only through the service that holds the value', () => {
    const statements = statementsFor({ 'X-Api-Key': { parameter: 'orders-key', kmsKeyArn: KEY } });
    expect(statements).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } } });
    expect(statements).toContainEqual({ Action: 'ssm:GetParameter', Effect: 'Allow', Resource: stackArn(':ssm:us-east-1:123456789012:parameter/orders-key') });
  });

  test('no reference, no statement (plain headers need nothing)', () => {
    expect(statementsFor({ 'X-Plain': 'value' })).toEqual([]);
  });
});
