import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The alias update that starts a CodeDeploy deployment (its `CodeDeployLambdaAliasUpdate` update policy)
 * must wait for what the deployment's evaluation needs — the verdict alarm the group lists, the tag on
 * the policy object: in a stack update that registers a group and ships a version at once, CloudFormation
 * could otherwise update the alias, and CodeDeploy start shifting, before they exist. Finds the aliases
 * whose update policy names this group.
 */
export function aliasesWaitFor(group: codedeploy.ILambdaDeploymentGroup, dependencies: readonly IConstruct[], known?: lambda.IAlias): void {
  const stack = Stack.of(group);
  const groupName = stack.resolve(group.deploymentGroupName);
  for (const child of stack.node.findAll()) {
    if (!(child instanceof lambda.CfnAlias)) continue;
    const update = child.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
    const names = update ? stack.resolve(update.deploymentGroupName) : undefined;
    const isKnown = known !== undefined && known.node.defaultChild === child;
    if (isKnown || (names !== undefined && !Token.isUnresolved(JSON.stringify(names)) && JSON.stringify(names) === JSON.stringify(groupName))) {
      child.node.addDependency(...dependencies);
    }
  }
}
