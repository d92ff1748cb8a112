import { ExpectedResult, IntegTest, Match, type IApiCall } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack, type App } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator } from '../../lib/constructs';
import { VERDICT_METRIC, VERDICT_NAMESPACE } from '../../lib/evaluation/verdict-metric';

/**
 * The integration test `npm run integ` deploys to a real account (scripts/integ.ts), and `npm test`
 * synthesizes offline (test/integ/rollback-app.test.ts, test/integ/integ-runner.test.ts): a protected
 * function registered with the evaluator, then two releases through CodeDeploy. The first is healthy
 * and succeeds, so the group has a last known good version; the second fails its pre-traffic smoke test,
 * the BeforeAllowTraffic hook is reported `Failed`, CodeDeploy fails the deployment and rolls back to the
 * healthy version, and the verdict metric is published for the group.
 */
export const FAILURE_SWITCH = 'SHIP_FAILURE';
/** Changes with every release, so that `PublishVersion` publishes a new version (it does not when nothing changed). */
export const RELEASE_VARIABLE = 'RELEASE';
export const APPSPEC_VERSION = '0.0';

export function rollbackIntegApp(app: App) {
  const stack = new Stack(app, 'CanaryEvaluatorIntegRollback');
  // The test's reports go with the stack: a bucket holding objects cannot be deleted otherwise.
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', { dashboard: false, autoDeleteReports: true });
  const protectedFunction = new lambda.Function(stack, 'Protected', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async () => { if (process.env.${FAILURE_SWITCH} === 'true') throw new Error('a version that fails'); return { statusCode: 200 }; };`,
    ),
    environment: { [FAILURE_SWITCH]: 'false', [RELEASE_VARIABLE]: '1' },
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

  /**
   * A release: set the function's environment, wait for the update, publish a version, and deploy it
   * from `currentVersion` through CodeDeploy. An API deployment names its hooks in the AppSpec (CodeDeploy
   * User Guide, "AppSpec 'hooks' section for an AWS Lambda deployment"); the AppSpec `version` is the
   * string "0.0" ("AppSpec 'version' section").
   */
  const release = (name: string, variables: Record<string, string>, currentVersion: string) => {
    const update = assertions.awsApiCall('Lambda', 'updateFunctionConfiguration', { FunctionName: protectedFunction.functionName, Environment: { Variables: variables } });
    const updated = assertions
      .awsApiCall('Lambda', 'getFunctionConfiguration', { FunctionName: protectedFunction.functionName })
      .expect(ExpectedResult.objectLike({ LastUpdateStatus: 'Successful', Environment: { Variables: variables } }))
      .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });
    const published = assertions.awsApiCall('Lambda', 'publishVersion', { FunctionName: protectedFunction.functionName, Description: name });
    const targetVersion = published.getAttString('Version');
    // Plain JSON with the tokens inside: the assertion provider JSON-encodes every parameter once more,
    // and the resolved names and version numbers hold no character JSON would escape.
    const content = JSON.stringify({
      version: APPSPEC_VERSION,
      Resources: [{ protected: { Type: 'AWS::Lambda::Function', Properties: { Name: protectedFunction.functionName, Alias: alias.aliasName, CurrentVersion: currentVersion, TargetVersion: targetVersion } } }],
      Hooks: [{ BeforeAllowTraffic: registered.preHook.functionName }, { AfterAllowTraffic: registered.postHook.functionName }],
    });
    const deploy = assertions.awsApiCall('CodeDeploy', 'createDeployment', {
      applicationName: group.application.applicationName,
      deploymentGroupName: group.deploymentGroupName,
      description: name,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
    });
    // CreateDeployment also reads the group's configuration and registers the revision.
    deploy.provider.addToRolePolicy({ Effect: 'Allow', Action: ['codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], Resource: ['*'] });
    update.next(updated).next(published).next(deploy);
    return { first: update, deploy, targetVersion, deploymentId: deploy.getAttString('deploymentId') };
  };
  const deploymentStatus = (deploymentId: string, expected: object): IApiCall =>
    assertions
      .awsApiCall('CodeDeploy', 'getDeployment', { deploymentId })
      .expect(ExpectedResult.objectLike({ deploymentInfo: expected }))
      .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });

  // A healthy release first: CodeDeploy rolls back to the last known good version, and a group's first
  // deployment has none (CodeDeploy User Guide, "Redeploy and roll back a deployment with CodeDeploy").
  const healthy = release('healthy', { [FAILURE_SWITCH]: 'false', [RELEASE_VARIABLE]: '2' }, protectedFunction.currentVersion.version);
  const healthySucceeded = deploymentStatus(healthy.deploymentId, { status: 'Succeeded' });

  // Then a version that fails, deployed from the healthy one.
  const failing = release('failing', { [FAILURE_SWITCH]: 'true', [RELEASE_VARIABLE]: '3' }, healthy.targetVersion);
  // The rollback: the deployment failed and CodeDeploy started a rollback deployment.
  const rolledBack = deploymentStatus(failing.deploymentId, { status: 'Failed', rollbackInfo: { rollbackDeploymentId: Match.stringLikeRegexp('^d-') } });

  // The hook report: the target's BeforeAllowTraffic lifecycle event is Failed (the evaluator's report).
  const targets = assertions.awsApiCall('CodeDeploy', 'listDeploymentTargets', { deploymentId: failing.deploymentId });
  const hookReport = assertions
    .awsApiCall('CodeDeploy', 'getDeploymentTarget', { deploymentId: failing.deploymentId, targetId: targets.getAttString('targetIds.0') })
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

  healthy.deploy.next(healthySucceeded).next(failing.first);
  failing.deploy.next(rolledBack).next(targets).next(hookReport).next(verdictMetric);
  return { stack, integ, group, registered, protectedFunction, evaluator };
}
