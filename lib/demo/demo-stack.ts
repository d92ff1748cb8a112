import { join } from 'node:path';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { CanaryEvaluator } from '../constructs';

/** The demo policy, also used by the local simulation. */
export const DEMO_POLICY_FILE = join(__dirname, 'demo-policy.yaml');

/**
 * A sample Lambda service deployed through CodeDeploy (10 % canary for 5 minutes) and protected by
 * the evaluator: what a team's stack looks like after adding canary-evaluator.
 */
export class DemoStack extends Stack {
  public readonly evaluator: CanaryEvaluator;
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const service = new lambda.Function(this, 'OrdersService', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
      description: 'Sample service protected by canary-evaluator',
    });
    const alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version: service.currentVersion });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'OrdersDeployment', {
      alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });

    this.evaluator = new CanaryEvaluator(this, 'CanaryEvaluator');
    this.evaluator.registerLambdaDeploymentGroup(this.deploymentGroup, { policy: DEMO_POLICY_FILE });
  }
}
