import { Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The alias update that starts a CodeDeploy deployment (its `CodeDeployLambdaAliasUpdate` update policy)
 * must wait for the verdict alarm: in a stack update that registers a group and ships a version at
 * once, CloudFormation could otherwise update the alias, and CodeDeploy start shifting, before the alarm
 * the group lists exists. Finds the aliases whose update policy names this group.
 */
export function aliasesWaitForAlarm(group: codedeploy.ILambdaDeploymentGroup, alarm: cloudwatch.Alarm, known?: lambda.IAlias): void {
  const stack = Stack.of(group);
  const groupName = stack.resolve(group.deploymentGroupName);
  for (const child of stack.node.findAll()) {
    if (!(child instanceof lambda.CfnAlias)) continue;
    const update = child.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
    const names = update ? stack.resolve(update.deploymentGroupName) : undefined;
    const isKnown = known !== undefined && known.node.defaultChild === child;
    if (isKnown || (names !== undefined && !Token.isUnresolved(JSON.stringify(names)) && JSON.stringify(names) === JSON.stringify(groupName))) {
      child.node.addDependency(alarm);
    }
  }
}
