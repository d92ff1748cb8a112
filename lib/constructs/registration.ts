import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, AssetHashType, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { reportSwitchesFromPolicy } from '../evaluation/conclude';
import { parseNotifyOn, type NotifyOn } from '../evaluation/notification';
import { HOOK_ENVIRONMENT, HOOK_MAX_EVENT_AGE_SECONDS } from '../evaluation/contracts';
import { aliasesWaitFor } from './alias-dependency';
import { readDeploymentTargetsStatement } from './service-authorization';
import type { LifecycleEvent } from '../evaluation/state';
import { VERDICT_METRIC } from '../evaluation/verdict-metric';
import { type Policy, type PolicyInput } from '../policy';
import { checkPolicy, loadCheckedPolicyFile } from '../evaluation/policy-check';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS } from '../evaluation/contracts';
import { ecsTargetsOf, type EcsTargets } from './ecs-targets';
import type { EvaluatorDashboard } from './evaluator-dashboard';
import { EvaluatorFunction } from './evaluator-function';
import { smokeHostsEnvironment } from './smoke-hosts';
import { checkSmokeSecretsReachable } from './smoke-secrets';
import { grantHook, grantLogSignal, grantReadRevisions, grantStartEvaluation, type LogGroupGrant } from './grants';
import { grantKeyThrough } from './service-authorization';
import { tagForEvaluator, tagPolicyObject } from './registration-tags';
import { healthAlarm, sumOfErrors } from './health-alarms';
import { acknowledgeHookInvokeGrant } from './nag-acknowledgements';
import { checkPolicyFitsPlatform } from './platform-fit';
import { createVerdictAlarm, validateAlarmLimit, verdictAlarmName, verdictDimensions, verdictMetric, type DeploymentGroupLike, type VerdictSubject } from './verdict-alarm';
import { markProtected } from './coverage/protection';

/** What every registration takes, whatever deploys the service (CodeDeploy or an ECS native strategy). */
export interface RegistrationOptions {
  /**
   * The evaluation policy: a policy object, or the path of a YAML/JSON policy file.
   * Validated at synth time; a bad policy fails `cdk synth` with the path of every error.
   */
  readonly policy: PolicyInput | string;
  /**
   * Whether to add the verdict alarm to the alarms the deployment watches (the deployment group's, or the
   * ECS service's deployment alarms), so that a failing verdict during the traffic shift stops the
   * deployment and rolls it back. CodeDeploy accepts at most 10 alarms per group
   * (`deploymentGroupAlarmLimit`); synthesis fails beyond that.
   * @default true
   */
  readonly addVerdictAlarm?: boolean;
  /**
   * Hosts the policy's HTTP smoke tests may call, besides those the registration names (an ECS
   * service's load balancer). Any other host is refused at synth and by the smoke Lambda; loopback and
   * link-local are refused always.
   * @default - only the hosts the registration names (none for a Lambda group)
   */
  readonly allowedSmokeTestHosts?: readonly string[];
  /**
   * When this registration's evaluations notify, when the evaluator has `notifications`.
   * @default - the evaluator's `notifications.on`
   */
  readonly notifications?: { readonly on: NotifyOn };
}

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

/** What registering a deployment group created. */
export interface RegisteredDeploymentGroup {
  /** The validated policy, presets expanded and defaults applied. */
  readonly policy: Policy;
  /** The S3 object the hooks and the evaluation read the policy from. */
  readonly policyAsset: Asset;
  /** The custom resource that tags the policy object for the evaluator (registration-tags.ts). */
  readonly policyTagger: Construct;
  /** The hook function per lifecycle event. */
  readonly hooks: Readonly<Record<string, lambda.IFunction>>;
  /** ALARM while the group's running evaluation has a failing verdict. */
  readonly verdictAlarm: cloudwatch.Alarm;
  /** ALARM when a hook function of the group errs (the deployment may wait for the reaper). */
  readonly hookErrorsAlarm: cloudwatch.Alarm;
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
 * What a registration needs of an evaluator: the evaluator in the same app (`CanaryEvaluator`) or one
 * deployed by another stack (`CanaryEvaluator.fromEvaluatorAttributes`).
 */
export interface EvaluatorBinding {
  readonly stateMachineArn: string;
  /** The state machine's timeout; a policy's windows must fit in it. @default DEFAULT_EVALUATION_TIMEOUT_SECONDS */
  readonly evaluationTimeoutSeconds?: number;
  /** With a customer managed key: the state machine ARN the key's encryption context names. @default - no key */
  readonly executionArnForKms?: string;
  /** The smoke-test function's timeout; a policy's smoke tests must fit in it. @default Duration.seconds(60) */
  readonly smokeFunctionTimeout?: Duration;
  readonly hookDeadLetterQueue: sqs.IQueue;
  /**
   * The value of the `canary-evaluator` tag the evaluator's grants are conditioned on: the registration
   * puts it on its deployment group, function and policy object (lib/constructs/grants.ts).
   */
  readonly registrationTag: string;
  readonly logRetention: logs.RetentionDays;
  /** The evaluator's report bucket, where override records are (`overrides/`). @default - none (an imported evaluator): its registrations cannot be overridden */
  readonly overrideBucketName?: string;
  readonly deploymentGroupAlarmLimit: number;
  readonly encryptionKey?: kms.IKey;
  readonly healthAlarmAction?: cloudwatch.IAlarmAction;
  readonly dashboard?: EvaluatorDashboard;
  /** Called when a registered policy stops deployments (StopDeployment is the evaluator's grant, not the registration's). */
  readonly onStopsDeployments: (groupPath: string) => void;
  readonly onReadsLogGroups?: LogGroupGrant; // @default - a policy with `logs` fails synth (see LogGroupGrant)
}

/**
 * The registration steps every platform shares, in one place: the checked policy, its S3 asset and the
 * tag that lets the evaluator read it, the mark `PostDeployChecks` reads, the hook functions' common
 * environment and grants, and the verdict and hook-error alarms with their dashboard rows. A CodeDeploy
 * group (`GroupRegistration`) and an ECS service on a native strategy (`lib/constructs/ecs-native/`) add
 * only what differs.
 */
export class PolicyRegistration extends Construct {
  readonly policy: Policy;
  readonly policyAsset: Asset;
  /** Tags the policy object for the evaluator; deployments must wait for it. */
  readonly policyTagger: Construct;
  /** The registration's `notifications.on`, copied into every execution input with the switches. */
  private readonly notifyOn?: NotifyOn;

  constructor(
    scope: Construct,
    id: string,
    protected readonly evaluator: EvaluatorBinding,
    /** The construct this registration protects (a deployment group, an ECS service): named in errors, marked for `PostDeployChecks`. */
    protected readonly protectedConstruct: IConstruct,
    options: RegistrationOptions,
    platform: 'lambda' | 'ecs',
  ) {
    super(scope, id);
    const where = protectedConstruct.node.path;
    this.notifyOn = options.notifications ? parseNotifyOn(options.notifications.on, `${where}: notifications.on`) : undefined;
    // One validation everywhere (lib/evaluation/policy-check): the schema, the evaluator's real limits, and a worst regression must be able to fail.
    const limits = { evaluationTimeoutSeconds: evaluator.evaluationTimeoutSeconds ?? DEFAULT_EVALUATION_TIMEOUT_SECONDS, smokeTimeoutSeconds: evaluator.smokeFunctionTimeout?.toSeconds() };
    const checked = typeof options.policy === 'string' ? loadCheckedPolicyFile(options.policy, limits) : checkPolicy(options.policy, `policy of ${where}`, limits);
    this.policy = checked.policy;
    // Values that look like the wrong unit (issue 25 item 4) are warnings: `cdk synth` shows them, `--strict` fails on them.
    checked.warnings.forEach((warning, index) => Annotations.of(this).addWarningV2(`canary-evaluator:policy-unit-${index}`, `policy: ${warning}`));
    checkPolicyFitsPlatform(this.policy, platform, where);
    checkSmokeSecretsReachable(this, this.policy, where);
    grantLogSignal(evaluator.onReadsLogGroups, this.policy, where);
    // An S3 asset: policies may be tens of KB, too large for environment variables. Its key is unique per
    // policy and evaluator: the object carries that evaluator's tag (registration-tags.ts).
    const policyJson = JSON.stringify(this.policy);
    const policyDir = mkdtempSync(join(tmpdir(), 'canary-policy-'));
    writeFileSync(join(policyDir, 'policy.json'), policyJson);
    const assetHash = createHash('sha256').update(`${policyJson}\n${evaluator.registrationTag}`).digest('hex');
    this.policyAsset = new Asset(this, 'Policy', { path: join(policyDir, 'policy.json'), assetHash, assetHashType: AssetHashType.CUSTOM });
    this.policyTagger = tagPolicyObject(this, this.policyAsset, evaluator.registrationTag, evaluator.encryptionKey);
    // What `PostDeployChecks` reads: this construct has post-deploy checks.
    markProtected(protectedConstruct);
  }

  /** What every hook function is told, on every platform: the policy object, the state machine, the report switches. */
  protected hookEnvironment(): Record<string, string> {
    return {
      [HOOK_ENVIRONMENT.policyBucket]: this.policyAsset.s3BucketName,
      [HOOK_ENVIRONMENT.policyKey]: this.policyAsset.s3ObjectKey,
      [HOOK_ENVIRONMENT.stateMachineArn]: this.evaluator.stateMachineArn,
      // Known at synth: every report of this hook, on any path, follows them (reportSwitchesOf).
      [HOOK_ENVIRONMENT.reportSwitches]: JSON.stringify({ ...reportSwitchesFromPolicy(this.policy), ...(this.notifyOn ? { notify: this.notifyOn } : {}) }),
    };
  }

  /**
   * A hook function of this registration, allowed to start (and look up) evaluations of the evaluator's
   * state machine. `invokedAsynchronously`: CodeDeploy's hooks are, and send failed events to the
   * evaluator's dead-letter queue; ECS invokes its hooks synchronously and reads the answer.
   */
  protected hookFunction(id: string, environment: Record<string, string>, invocation: { readonly asynchronous: true } | { readonly asynchronous: false; readonly why: string }): lambda.Function {
    const hook = new EvaluatorFunction(this, id, {
      handler: invocation.asynchronous ? 'hook' : 'ecs-hook',
      timeout: Duration.seconds(30),
      logRetention: this.evaluator.logRetention,
      encryptionKey: this.evaluator.encryptionKey,
      ...(invocation.asynchronous ? { deadLetterQueue: this.evaluator.hookDeadLetterQueue } : { withoutDeadLetterQueue: invocation.why }),
      environment: { ...this.hookEnvironment(), ...environment },
    }).function;
    grantStartEvaluation(hook, this.evaluator.stateMachineArn, this.evaluator.encryptionKey, this.evaluator.executionArnForKms, !invocation.asynchronous);
    return hook;
  }

  /**
   * The verdict alarm and the hook-errors alarm of this registration, and its rows on the evaluator's
   * dashboard. `platform` labels the rows ("CodeDeploy Lambda", "ECS native LINEAR", …).
   */
  protected alarms(subject: VerdictSubject, hooks: Record<string, lambda.IFunction>, labels: { readonly title: string; readonly platform: string; readonly actor: string }): { verdictAlarm: cloudwatch.Alarm; hookErrorsAlarm: cloudwatch.Alarm } {
    const verdictAlarm = createVerdictAlarm(this, 'VerdictAlarm', subject, labels.actor);
    const hookErrorsAlarm = healthAlarm(this, 'HookErrorsAlarm', {
      alarmDescription: `canary-evaluator: a hook of ${verdictDimensions(subject).DeploymentGroupName} returned errors; ${labels.actor === 'CodeDeploy' ? 'Lambda retries it, and the hook reports Failed when it cannot start the evaluation' : 'ECS rolls the deployment back when a hook fails'}.`,
      metric: sumOfErrors(hooks),
    }, this.evaluator.healthAlarmAction);
    const dashboard = this.evaluator.dashboard;
    if (dashboard) {
      dashboard.addDeploymentGroup(labels.title, [verdictAlarm, hookErrorsAlarm], verdictMetric(subject, VERDICT_METRIC.failed, cloudwatch.Stats.MAXIMUM), labels.platform);
      dashboard.addPlatformVerdicts(labels.platform, verdictDimensions(subject));
      // Token spend by version, a leading indicator beside errors and latency (cost metrics with a version dimension).
      for (const metric of this.policy.metrics) dashboard.addSpendByVersion(labels.title, metric);
      for (const metric of this.policy.metrics) dashboard.addSpendPerRequest(labels.title, metric, verdictDimensions(subject));
    }
    return { verdictAlarm, hookErrorsAlarm };
  }
}

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

/** The construct id of a group's registration; each group registers once per evaluator, with one policy. */
export function registrationIdOf(group: IConstruct, registered: Set<string>, evaluatorPath: string): string {
  if (registered.has(group.node.path)) {
    throw new Error(`${'deploymentGroupName' in group ? 'deployment group' : 'ECS service'} ${group.node.path} is already registered with ${evaluatorPath}; register each ${'deploymentGroupName' in group ? 'group' : 'service'} once, with one policy`);
  }
  registered.add(group.node.path);
  return Names.uniqueId(group).slice(-48);
}
