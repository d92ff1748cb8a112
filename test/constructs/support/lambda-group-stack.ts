import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ENV, noBundlingApp } from './all-options-stack';

/** A stack with one Lambda function, its `live` alias and a CodeDeploy deployment group to register. */
export function lambdaGroupStack(id: string): { stack: Stack; group: codedeploy.LambdaDeploymentGroup } {
  const stack = new Stack(noBundlingApp(), id, { env: ENV });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  return { stack, group: new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias }) };
}
