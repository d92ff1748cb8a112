import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BedrockSpendGuard, CanaryEvaluator, EvaluatorNotifications, ReportBucket } from '../../lib';
import { isOlderThan, MINIMUM_AWS_CDK_LIB, requireSupportedAwsCdkLib } from '../../lib/constructs/peer-version';

// Every construct of the package sees this aws-cdk-lib version (the real one is the devDependency's).
const installed = { version: '2.268.0' };
jest.mock('aws-cdk-lib/package.json', () => installed);

const stack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Stack', { env: { account: '123456789012', region: 'us-east-1' } });
const refusal = (version: string) => new RegExp(`canary-evaluator needs aws-cdk-lib ${MINIMUM_AWS_CDK_LIB.replace(/\./g, '\\.')} or newer, and this app has aws-cdk-lib ${version.replace(/\./g, '\\.')}\\. Upgrade it \\(npm install aws-cdk-lib@\\^${MINIMUM_AWS_CDK_LIB.replace(/\./g, '\\.')}\\)`);

describe('the minimum aws-cdk-lib (issue 24 item 6)', () => {
  test('compares major.minor.patch numerically', () => {
    expect(isOlderThan('2.268.0', '2.269.0')).toBe(true);
    expect(isOlderThan('2.269.0', '2.269.0')).toBe(false);
    expect(isOlderThan('2.276.1', '2.269.0')).toBe(false);
    expect(isOlderThan('2.99.0', '2.269.0')).toBe(true);
    expect(isOlderThan('3.0.0', '2.269.0')).toBe(false);
    expect(isOlderThan('1.300.0', '2.269.0')).toBe(true);
    expect(isOlderThan('2.269.0-rc.1', '2.269.0')).toBe(false);
  });

  test.each([
    ['CanaryEvaluator', (s: Stack) => new CanaryEvaluator(s, 'Evaluator'), 'Stack/Evaluator/'],
    ['CanaryEvaluator.fromEvaluatorName', (s: Stack) => CanaryEvaluator.fromEvaluatorName(s, 'Shared'), 'Stack/Shared'],
    ['ReportBucket', (s: Stack) => new ReportBucket(s, 'Reports'), 'Stack/Reports'],
    ['BedrockSpendGuard', (s: Stack) => new BedrockSpendGuard(s, 'Guard', { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', maxUsdPerMinute: 1 }), 'Stack/Guard'],
    ['EvaluatorNotifications', (s: Stack) => new EvaluatorNotifications(s, { topic: new sns.Topic(s, 'Topic'), publishers: [] }), 'Stack/'],
  ])('%s refuses an older aws-cdk-lib with an error naming both versions and where', (_name, create, where) => {
    for (const version of ['2.268.0', '2.264.0', '2.200.5']) {
      installed.version = version;
      expect(() => create(stack())).toThrow(refusal(version));
      expect(() => create(stack())).toThrow(where);
    }
    installed.version = MINIMUM_AWS_CDK_LIB;
    expect(() => create(stack())).not.toThrow();
  });

  test('says nothing when the version cannot be read (nothing to compare)', () => {
    expect(() => requireSupportedAwsCdkLib(stack(), 'unknown')).not.toThrow();
  });
});
