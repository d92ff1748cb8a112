/**
 * A service team's stack, in its own CDK app: it registers its deployment group with the evaluator
 * the platform team deployed in the same account and region, found by the SSM parameters that
 * evaluator writes; it holds no reference to the platform team's construct.
 * Compiled by `npm run typecheck`, synthesized against the packed package by `npm run test:package`.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator } from 'canary-evaluator';
import type { Construct } from 'constructs';

export class ServiceTeamStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const payments = new lambda.Function(this, 'Payments', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
      timeout: Duration.seconds(10),
    });
    const alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version: payments.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(this, 'PaymentsDeployment', {
      alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });

    // The evaluator of this account and region, by the name the platform team gave it; it has a customer
    // managed key. `fromEvaluatorAttributes` takes the ARNs and the `registrationTag` instead. The
    // registration tags the group, the function and the policy object for the evaluator.
    const evaluator = CanaryEvaluator.fromEvaluatorName(this, 'SharedEvaluator', 'default', { encrypted: true });
    evaluator.registerLambdaDeploymentGroup(group, { policy: 'policies/payments.yaml', alias });
  }
}
