/**
 * A platform team's stack: one evaluator per account and region, alarms to the on-call topic, and a
 * deployment group of the team's own registered in the same stack. Compiled by `npm run typecheck`
 * and synthesized against the packed package by `npm run test:package`; the README shows this file.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CanaryEvaluator, type PolicyInput } from 'canary-evaluator';
import type { Construct } from 'constructs';

/** An inline policy: validated at synth time like a policy file. */
const ordersPolicy: PolicyInput = {
  alpha: 0.01,
  metrics: [{ preset: 'lambda-error-rate' }, { preset: 'lambda-slow-requests', thresholdMs: 1000 }],
};

export class PlatformTeamStack extends Stack {
  public readonly evaluator: CanaryEvaluator;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const onCall = new sns.Topic(this, 'OnCall');
    const key = new kms.Key(this, 'EvaluatorKey', { enableKeyRotation: true });

    this.evaluator = new CanaryEvaluator(this, 'CanaryEvaluator', {
      evaluatorName: 'default', // service teams find it by this name (SSM parameters /canary-evaluator/default/*)
      healthAlarmAction: new cw_actions.SnsAction(onCall), // optional
      encryptionKey: key, // optional: logs, state machine, DLQ, Lambda environment
    });

    const orders = new lambda.Function(this, 'Orders', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      timeout: Duration.seconds(10),
    });
    const alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version: orders.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(this, 'OrdersDeployment', {
      alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });
    // Hooks are wired on the group (BeforeAllowTraffic, AfterAllowTraffic).
    this.evaluator.registerLambdaDeploymentGroup(group, { policy: ordersPolicy, alias });
  }
}
