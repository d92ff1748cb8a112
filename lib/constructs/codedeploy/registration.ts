import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HOOK_ENVIRONMENT, HOOK_MAX_EVENT_AGE_SECONDS } from '../../evaluation/contracts';
import { aliasesWaitFor } from '../alias-dependency';
import { readDeploymentTargetsStatement } from '../service-authorization';
import type { LifecycleEvent } from '../../evaluation/state';
import { ecsTargetsOf, type EcsTargets } from '../ecs-targets';
import { grantHook, grantReadRevisions } from '../grants';
import { grantKeyThrough } from '../service-authorization';
import { tagForEvaluator } from '../registration-tags';
import { acknowledgeHookInvokeGrant } from '../nag-acknowledgements';
import { validateAlarmLimit, verdictAlarmName, type DeploymentGroupLike } from '../verdict-alarm';

import { smokeHostsEnvironment } from '../smoke-hosts';
import { PolicyRegistration, type EvaluatorBinding, type RegisteredDeploymentGroup, type RegistrationOptions } from '../registration';

/** What every CodeDeploy deployment group registration takes. */
export interface DeploymentGroupRegistrationOptions extends RegistrationOptions {
  /**
   * The bucket of the group's AppSpec revisions, when deployments name an S3 revision (`revisionType: S3`)
   * rather than AppSpec content: CodeDeploy returns only the location, so the hooks read the object.
   * @default - none; a deployment with an S3 revision reports Failed, naming this option
   */
  readonly revisionBucket?: s3.IBucket;
  /**
   * Whether on call may override this group's evaluations (`canary-eval override`, permitted by `grantOverride`); with `false` an override is refused, the refusal recorded in the verdict.
   * @default true
   */
  readonly allowOverrides?: boolean;
}

export interface LambdaDeploymentGroupRegistration extends DeploymentGroupRegistrationOptions {
  /**
   * The alias the group deploys (the `alias` of its `LambdaDeploymentGroup`). Smoke tests invoke the
   * new version directly, so the smoke-test runner is allowed to invoke this function's versions.
   * @default - none; required when the policy has Lambda `smokeTests`
   */
  readonly alias?: lambda.IAlias;
}

export interface EcsDeploymentGroupRegistration extends DeploymentGroupRegistrationOptions {
  /** The Application Load Balancer in front of the service (its metrics compare blue and green). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The deployment group's blue target group. */
  readonly blueTargetGroup: elbv2.IApplicationTargetGroup;
  /** The deployment group's green target group. */
  readonly greenTargetGroup: elbv2.IApplicationTargetGroup;
  /**
   * The role CodeDeploy uses for this group; it is granted permission to invoke the hook functions.
   * @default - `group.role` when the group is an `EcsDeploymentGroup` of this app; required for imported groups
   */
  readonly codeDeployRole?: iam.IRole;
}

export interface RegisteredLambdaDeploymentGroup extends RegisteredDeploymentGroup {
  /** BeforeAllowTraffic hook. */
  readonly preHook: lambda.IFunction;
  /** AfterAllowTraffic hook. */
  readonly postHook: lambda.IFunction;
}

export interface RegisteredEcsDeploymentGroup extends RegisteredDeploymentGroup {
  readonly afterAllowTestTrafficHook: lambda.IFunction;
  readonly afterAllowTrafficHook: lambda.IFunction;
  /** The AppSpec `Hooks` section to deploy with: `[{ AfterAllowTestTraffic: <fn name> }, { AfterAllowTraffic: <fn name> }]`. */
  readonly appSpecHooks: ReadonlyArray<Readonly<Record<string, string>>>;
  /** What the hooks receive in `ECS_TARGETS`. */
  readonly targets: EcsTargets;
}

/** CodeDeploy ECS lifecycle events the evaluator judges (CodeDeploy User Guide, "AppSpec 'hooks' section for an Amazon ECS deployment"). */
export const ECS_LIFECYCLE_EVENTS = ['AfterAllowTestTraffic', 'AfterAllowTraffic'] as const;

/**
 * The resources of one registered deployment group: its policy asset, one hook function per
 * lifecycle event, the grants that let the evaluator act for this group only, and its alarms.
 */
class GroupRegistration extends PolicyRegistration {
  /** Where this group's hooks look for overrides, and whether they may honour them (CodeDeploy hooks only). */
  private readonly overrideSettings?: { readonly bucket: string; readonly allowed: boolean };

  constructor(
    scope: Construct,
    id: string,
    evaluator: EvaluatorBinding,
    private readonly group: DeploymentGroupLike,
    options: DeploymentGroupRegistrationOptions,
    platform: 'lambda' | 'ecs',
  ) {
    super(scope, id, evaluator, group, options, platform);
    if (evaluator.overrideBucketName) this.overrideSettings = { bucket: evaluator.overrideBucketName, allowed: options.allowOverrides ?? true };
    tagForEvaluator(group, 'AWS::CodeDeploy::DeploymentGroup', evaluator.registrationTag, 'read its deployments during the canary watch');
    if (this.policy.canaryWatch.enabled && this.policy.canaryWatch.stopDeploymentOnFail) evaluator.onStopsDeployments(group.node.path);
  }

  /** One hook function per lifecycle event per group: CodeDeploy's hook event does not say which event it is. */
  hook(event: LifecycleEvent, environment: Record<string, string> = {}): lambda.Function {
    const hook = this.hookFunction(`${event}Hook`, { [HOOK_ENVIRONMENT.lifecycleEvent]: event, ...(this.overrideSettings ? { [HOOK_ENVIRONMENT.overrideSettings]: Stack.of(this).toJsonString(this.overrideSettings) } : {}), ...environment }, { asynchronous: true });
    grantHook(hook, this.group);
    // CodeDeploy invokes hooks asynchronously: bound how late a retried or queued event may still start an
    // evaluation (Lambda's defaults, 2 retries and 6 hours, outlive the one-hour hook); older events go to
    // the dead-letter queue. The evaluation's budget assumes this delay (HOOK_MAX_EVENT_AGE_SECONDS).
    hook.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.seconds(HOOK_MAX_EVENT_AGE_SECONDS) });
    Validations.of(hook.node.findChild('EventInvokeConfig')).acknowledge({
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason: 'Failed hook events go to the function dead-letter queue (DeadLetterConfig), which the HookDeadLetterAlarm watches',
    });
    if (this.evaluator.encryptionKey) grantKeyThrough(this.evaluator.encryptionKey, hook, 'sqs');
    return hook;
  }

  finish(options: DeploymentGroupRegistrationOptions, hooks: Record<string, lambda.IFunction>, platform: string): RegisteredDeploymentGroup {
    const { group } = this;
    if (options.revisionBucket) for (const hook of Object.values(hooks)) grantReadRevisions(hook, options.revisionBucket);
    const { verdictAlarm, hookErrorsAlarm } = this.alarms(group, hooks, { title: group.node.id, platform, actor: 'CodeDeploy' });
    if (options.addVerdictAlarm ?? true) {
      if (!('addAlarm' in group) || typeof group.addAlarm !== 'function') {
        throw new Error(
          `cannot add the verdict alarm to ${group.node.path}: imported deployment groups cannot take alarms in CDK. Register with \`addVerdictAlarm: false\` and add the alarm \`${verdictAlarm.node.path}\` to the group where it is defined.`,
        );
      }
      // By literal name, not by reference: the alarm's dimensions already reference the group, so a
      // reference back would be a circular dependency. CloudFormation creates the alarm right after the group.
      (group as codedeploy.LambdaDeploymentGroup).addAlarm(cloudwatch.Alarm.fromAlarmName(this, 'VerdictAlarmByName', verdictAlarmName(this)));
      validateAlarmLimit(group, this.evaluator.deploymentGroupAlarmLimit);
    }
    return { policy: this.policy, policyAsset: this.policyAsset, policyTagger: this.policyTagger, hooks, verdictAlarm, hookErrorsAlarm };
  }
}

/**
 * Protects a Lambda deployment group: CodeDeploy calls the evaluator before traffic shifts
 * (`preHook`) and after all traffic has shifted (`postHook`).
 */
export function registerLambdaGroup(scope: Construct, id: string, evaluator: EvaluatorBinding, group: codedeploy.LambdaDeploymentGroup, options: LambdaDeploymentGroupRegistration): RegisteredLambdaDeploymentGroup {
  const registration = new GroupRegistration(scope, id, evaluator, group, options, 'lambda');
  // With the alias known, the hooks check that the AppSpec deploys this function and alias.
  const environment: Record<string, string> = {
    ...smokeHostsEnvironment(scope, registration.policy, [], options.allowedSmokeTestHosts ?? [], group.node.path),
    ...(options.alias ? { [HOOK_ENVIRONMENT.lambdaTarget]: Stack.of(scope).toJsonString({ functionName: options.alias.version.lambda.functionName, alias: options.alias.aliasName }) } : {}),
  };
  const preHook = registration.hook('BeforeAllowTraffic', environment);
  const postHook = registration.hook('AfterAllowTraffic', environment);
  // Also grants the group's role invoke and the hooks PutLifecycleEventHookExecutionStatus on this group.
  group.addPreHook(preHook);
  group.addPostHook(postHook);
  acknowledgeHookInvokeGrant(group.role, [preHook, postHook]);

  const lambdaSmokeTests = registration.policy.smokeTests.filter((test) => test.type === 'lambda').map((test) => test.name);
  if (options.alias) {
    tagForEvaluator(options.alias.version.lambda, 'AWS::Lambda::Function', evaluator.registrationTag, "invoke its versions for the policy's Lambda smoke tests");
  } else if (lambdaSmokeTests.length > 0) {
    throw new Error(`policy of ${group.node.path} has Lambda smoke test(s) (${lambdaSmokeTests.join(', ')}), which invoke the new version directly; pass \`alias\` (the alias the group deploys) to registerLambdaDeploymentGroup so they may`);
  }
  const registered = registration.finish(options, { BeforeAllowTraffic: preHook, AfterAllowTraffic: postHook }, 'CodeDeploy Lambda');
  aliasesWaitFor(group, [registered.verdictAlarm, registered.policyTagger], options.alias);
  return { ...registered, preHook, postHook };
}

/**
 * Protects an ECS blue/green deployment group. CodeDeploy ECS hooks are named in the AppSpec, not
 * on the group: deploy with the returned `appSpecHooks`.
 */
export function registerEcsGroup(
  scope: Construct,
  id: string,
  evaluator: EvaluatorBinding,
  group: codedeploy.IEcsDeploymentGroup,
  options: EcsDeploymentGroupRegistration,
): RegisteredEcsDeploymentGroup {
  const codeDeployRole = options.codeDeployRole ?? (group instanceof codedeploy.EcsDeploymentGroup ? group.role : undefined);
  if (!codeDeployRole) {
    throw new Error(
      `cannot register ${group.node.path}: it is an imported ECS deployment group, so its CodeDeploy role is unknown. Pass \`codeDeployRole\` (the role CodeDeploy assumes for this group) so it may invoke the hooks.`,
    );
  }
  const registration = new GroupRegistration(scope, id, evaluator, group, options, 'ecs');
  const targets = ecsTargetsOf(options.loadBalancer, [options.blueTargetGroup, options.greenTargetGroup]);
  const environment = {
    [HOOK_ENVIRONMENT.ecsTargets]: Stack.of(scope).toJsonString(targets),
    ...smokeHostsEnvironment(scope, registration.policy, [options.loadBalancer.loadBalancerDnsName], options.allowedSmokeTestHosts ?? [], group.node.path),
  };
  const afterAllowTestTrafficHook = registration.hook('AfterAllowTestTraffic', environment);
  const afterAllowTrafficHook = registration.hook('AfterAllowTraffic', environment);
  for (const hook of [afterAllowTestTrafficHook, afterAllowTrafficHook]) {
    // The unqualified function only: the AppSpec names the function, CodeDeploy invokes $LATEST.
    codeDeployRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [hook.functionArn] }));
    // Which target group serves the replacement task set (Green) alternates between deployments: the hook
    // reads the deployment target's task sets. Both actions are wildcard-only (Service Authorization Reference, AWS CodeDeploy).
    hook.addToRolePolicy(readDeploymentTargetsStatement());
  }
  const registered = registration.finish(options, { AfterAllowTestTraffic: afterAllowTestTrafficHook, AfterAllowTraffic: afterAllowTrafficHook }, 'CodeDeploy ECS');
  return {
    ...registered,
    afterAllowTestTrafficHook,
    afterAllowTrafficHook,
    appSpecHooks: [{ AfterAllowTestTraffic: afterAllowTestTrafficHook.functionName }, { AfterAllowTraffic: afterAllowTrafficHook.functionName }],
    targets,
  };
}

