import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack, type App } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator } from '../../lib/constructs';
import { VERDICT_METRIC, VERDICT_NAMESPACE } from '../../lib/evaluation/verdict-metric';

/**
 * The integration test `npm run integ` deploys to a real account (integ-runner), and `npm test`
 * synthesizes offline (test/integ/rollback-app.test.ts): a protected function registered with the
 * evaluator, then a version that fails shipped through CodeDeploy. The pre-traffic smoke test fails,
 * the BeforeAllowTraffic hook is reported `Failed`, CodeDeploy fails the deployment and rolls back,
 * and the verdict metric is published for the group.
 */
export const FAILURE_SWITCH = 'SHIP_FAILURE';

export function rollbackIntegApp(app: App) {
  const stack = new Stack(app, 'CanaryEvaluatorIntegRollback');
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', { dashboard: false });
  const protectedFunction = new lambda.Function(stack, 'Protected', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async () => { if (process.env.${FAILURE_SWITCH} === 'true') throw new Error('a version that fails'); return { statusCode: 200 }; };`,
    ),
    environment: { [FAILURE_SWITCH]: 'false' },
  });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: protectedFunction.currentVersion });
  // All at once: the pre-traffic hook decides, no traffic shift to wait for.
  const group = new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE });
  const registered = evaluator.registerLambdaDeploymentGroup(group, {
    alias,
    policy: {
      metrics: [{ preset: 'lambda-error-rate' }],
      smokeTests: [{ name: 'invoke', phase: 'pre-traffic', payload: {}, expect: { statusCode: 200 } }],
      bake: { duration: '5m', period: '60s' },
    },
  });

  const integ = new IntegTest(app, 'CanaryEvaluatorRollback', {
    testCases: [stack],
    regions: ['us-east-1'],
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
  const { assertions } = integ;

  // Ship a version that fails: switch the failure on, wait for the update, publish a version.
  const switchOn = assertions.awsApiCall('Lambda', 'updateFunctionConfiguration', {
    FunctionName: protectedFunction.functionName,
    Environment: { Variables: { [FAILURE_SWITCH]: 'true' } },
  });
  const updated = assertions
    .awsApiCall('Lambda', 'getFunctionConfiguration', { FunctionName: protectedFunction.functionName })
    .expect(ExpectedResult.objectLike({ LastUpdateStatus: 'Successful' }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });
  const published = assertions.awsApiCall('Lambda', 'publishVersion', { FunctionName: protectedFunction.functionName });

  // Deploy it through CodeDeploy; an API deployment names its hooks in the AppSpec (CodeDeploy User
  // Guide, "AppSpec 'hooks' section for an AWS Lambda deployment").
  const appSpec = stack.toJsonString({
    version: 0.0,
    Resources: [
      { protected: { Type: 'AWS::Lambda::Function', Properties: { Name: protectedFunction.functionName, Alias: alias.aliasName, CurrentVersion: protectedFunction.currentVersion.version, TargetVersion: published.getAttString('Version') } } },
    ],
    Hooks: [{ BeforeAllowTraffic: registered.preHook.functionName }, { AfterAllowTraffic: registered.postHook.functionName }],
  });
  const deploy = assertions.awsApiCall('CodeDeploy', 'createDeployment', {
    applicationName: group.application.applicationName,
    deploymentGroupName: group.deploymentGroupName,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec } },
  });
  // CreateDeployment also reads the group's configuration and registers the revision.
  deploy.provider.addToRolePolicy({ Effect: 'Allow', Action: ['codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], Resource: ['*'] });
  const deploymentId = deploy.getAttString('deploymentId');

  // The rollback: the deployment failed and CodeDeploy started a rollback deployment.
  const rolledBack = assertions
    .awsApiCall('CodeDeploy', 'getDeployment', { deploymentId })
    .expect(ExpectedResult.objectLike({ deploymentInfo: { status: 'Failed', rollbackInfo: { rollbackDeploymentId: Match.stringLikeRegexp('^d-') } } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });

  // The hook report: the target's BeforeAllowTraffic lifecycle event is Failed (the evaluator's report).
  const targets = assertions.awsApiCall('CodeDeploy', 'listDeploymentTargets', { deploymentId });
  const hookReport = assertions
    .awsApiCall('CodeDeploy', 'getDeploymentTarget', { deploymentId, targetId: targets.getAttString('targetIds.0') })
    .expect(ExpectedResult.objectLike({ deploymentTarget: { lambdaTarget: { lifecycleEvents: Match.arrayWith([Match.objectLike({ lifecycleEventName: 'BeforeAllowTraffic', status: 'Failed' })]) } } }));

  // The verdict metric of the group (ListMetrics lists a new metric within minutes).
  const verdictMetric = assertions
    .awsApiCall('CloudWatch', 'listMetrics', {
      Namespace: VERDICT_NAMESPACE,
      MetricName: VERDICT_METRIC.rollbacks,
      Dimensions: [
        { Name: 'ApplicationName', Value: group.application.applicationName },
        { Name: 'DeploymentGroupName', Value: group.deploymentGroupName },
      ],
    })
    .expect(ExpectedResult.objectLike({ Metrics: Match.arrayWith([Match.objectLike({ MetricName: VERDICT_METRIC.rollbacks })]) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(20), interval: Duration.minutes(1) });

  switchOn.next(updated).next(published).next(deploy).next(rolledBack).next(targets).next(hookReport).next(verdictMetric);
  return { stack, integ, group, registered, protectedFunction };
}
