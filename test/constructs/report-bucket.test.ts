import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CanaryEvaluator } from '../../lib/constructs';

const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

function synth(withKey: boolean) {
  const stack = new Stack(noBundling(), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', withKey ? { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) } : {});
  return { evaluator, template: Template.fromStack(stack), stack };
}

describe('the report bucket (issue 13 item 3)', () => {
  const { evaluator, template, stack } = synth(false);
  const bucketId = stack.getLogicalId(evaluator.reportBucket.bucket.node.defaultChild as never);

  test('blocks public access, is encrypted, expires reports (and the publication ledger sooner) and owns its objects', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' }), Match.objectLike({ Prefix: 'publications/', ExpirationInDays: 30, Status: 'Enabled' }), Match.objectLike({ Prefix: 'ecs-native/hook-status/', ExpirationInDays: 30, Status: 'Enabled' })] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('is deleted with the evaluator; emptied first only with autoDeleteReports (test stacks: issue 24 item 3)', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    const testStack = new Stack(noBundling(), 'TestStack');
    const emptied = new CanaryEvaluator(testStack, 'Evaluator', { autoDeleteReports: true });
    Template.fromStack(testStack).hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: testStack.getLogicalId(emptied.reportBucket.bucket.node.defaultChild as never) } });
  });

  test('denies every request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } })]) },
    });
  });

  test('the report function may PutObject under reports/, use the ledger under publications/ only, and knows the bucket', () => {
    const role = stack.getLogicalId(evaluator.reportFunction.role!.node.defaultChild as never);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
    const statements = Object.values(policies).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
    const s3Statements = statements.filter((statement) => [statement.Action].flat().some((action) => String(action).startsWith('s3:')) && JSON.stringify(statement.Resource).includes(bucketId));
    const under = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, prefix]] });
    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: under('/reports/*') },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: under('/publications/*') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] }, Condition: { StringLike: { 's3:prefix': 'publications/*' } } },
      // Each group's last promotion and one marker per escaped change failure (issue 28.5): no delete.
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: under('/change-failures/*') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] }, Condition: { StringLike: { 's3:prefix': 'change-failures/*' } } },
      // ECS native hook statuses (issue 27), created once and read back.
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: under('/ecs-native/hook-status/*') },
    ]);
    // No other role of the evaluator may write to the report bucket: the looks (evaluate, watch) read override records only.
    const others = template.findResources('AWS::IAM::Policy');
    const roleOf = (fn: { role?: { node: { defaultChild?: unknown } } }) => [{ Ref: stack.getLogicalId(fn.role!.node.defaultChild as never) }];
    const touching = Object.entries(others).filter(([, policy]) => JSON.stringify(policy).includes(bucketId));
    expect(touching.map(([, policy]) => (policy as { Properties: { Roles: unknown } }).Properties.Roles)).toEqual(expect.arrayContaining([[{ Ref: role }], roleOf(evaluator.evaluateFunction), roleOf(evaluator.watchFunction)]));
    expect(touching).toHaveLength(3);
    for (const fn of [evaluator.evaluateFunction, evaluator.watchFunction]) {
      const [, policy] = touching.find(([, p]) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles) === JSON.stringify(roleOf(fn)))!;
      const onBucket = (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement.filter((statement) => JSON.stringify(statement.Resource).includes(bucketId));
      expect(onBucket).toEqual([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: under('/overrides/*') },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] }, Condition: { StringLike: { 's3:prefix': 'overrides/*' } } },
      ]);
    }
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ REPORT_BUCKET: { Ref: bucketId } }) }, Handler: Match.stringLikeRegexp('') });
  });

  test('grantOverride: on call may create override records under overrides/, and nothing else in the bucket', () => {
    const overrideStack = new Stack(noBundling(), 'OverrideStack');
    const overridden = new CanaryEvaluator(overrideStack, 'Evaluator');
    const onCall = new Role(overrideStack, 'OnCall', { assumedBy: new AccountRootPrincipal() });
    overridden.grantOverride(onCall);
    const reportsId = overrideStack.getLogicalId(overridden.reportBucket.bucket.node.defaultChild as never);
    const policies = Template.fromStack(overrideStack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: overrideStack.getLogicalId(onCall.node.defaultChild as never) }] } });
    const statements = Object.values(policies).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [reportsId, 'Arn'] }, '/overrides/*']] } }]);
  });

  test('the dashboard links the reports', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } } }>;
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1];
    const at = parts.findIndex((part) => JSON.stringify(part) === JSON.stringify({ Ref: bucketId }));
    expect(String(parts[at - 1])).toMatch(/### Evaluation reports.*https:\/\/console\.aws\.amazon\.com\/s3\/buckets\/$/);
    expect(String(parts[at + 1])).toMatch(/^\?prefix=reports\//);
  });

  test("with the evaluator's key: SSE-KMS with that key and a bucket key", () => {
    const keyed = synth(true).template;
    keyed.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }] },
    });
  });
});
