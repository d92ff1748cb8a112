import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, AssetHashType, Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { reportSwitchesFromPolicy } from '../evaluation/conclude';
import { Construct, type IConstruct } from 'constructs';
import { parseNotifyOn, type NotifyOn } from '../evaluation/notification';
import { HOOK_ENVIRONMENT } from '../evaluation/contracts';
import { VERDICT_METRIC } from '../evaluation/verdict-metric';
import { type Policy, type PolicyInput } from '../policy';
import type { DeploymentLimits } from '../policy/fit';
import { checkPolicy, loadCheckedPolicyFile } from '../evaluation/policy-check';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS } from '../evaluation/contracts';
import type { EvaluatorDashboard } from './evaluator-dashboard';
import { EvaluatorFunction } from './evaluator-function';
import { checkSmokeSecretsReachable } from './smoke-secrets';
import { grantLogSignal, grantStartEvaluation, type LogGroupGrant } from './grants';
import { tagPolicyObject } from './registration-tags';
import { healthAlarm, sumOfErrors } from './health-alarms';
import { checkPolicyFitsPlatform } from './platform-fit';
import { createVerdictAlarm, verdictDimensions, verdictMetric, type VerdictSubject } from './verdict-alarm';
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
    /** The deadline the policy is fitted to, when not the evaluator's standard one (a long ECS native hook's). @default - `standardLimits(evaluator)` */
    fit?: DeploymentLimits,
  ) {
    super(scope, id);
    const where = protectedConstruct.node.path;
    this.notifyOn = options.notifications ? parseNotifyOn(options.notifications.on, `${where}: notifications.on`) : undefined;
    // One validation everywhere (lib/evaluation/policy-check): the schema, the evaluator's real limits, and a worst regression must be able to fail.
    const limits = fit ?? standardLimits(evaluator);
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
  protected hookFunction(
    id: string,
    environment: Record<string, string>,
    invocation: { readonly asynchronous: true } | { readonly asynchronous: false; readonly why: string },
    /** The state machine the hook starts, when not the evaluator's standard one (a long ECS native evaluation's). */
    machine: { readonly stateMachineArn: string; readonly executionArnForKms?: string } = this.evaluator,
  ): lambda.Function {
    const hook = new EvaluatorFunction(this, id, {
      handler: invocation.asynchronous ? 'hook' : 'ecs-hook',
      timeout: Duration.seconds(30),
      logRetention: this.evaluator.logRetention,
      encryptionKey: this.evaluator.encryptionKey,
      ...(invocation.asynchronous ? { deadLetterQueue: this.evaluator.hookDeadLetterQueue } : { withoutDeadLetterQueue: invocation.why }),
      environment: { ...this.hookEnvironment(), ...environment, [HOOK_ENVIRONMENT.stateMachineArn]: machine.stateMachineArn },
    }).function;
    grantStartEvaluation(hook, machine.stateMachineArn, this.evaluator.encryptionKey, machine.executionArnForKms, !invocation.asynchronous);
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

/** What a policy must fit of the evaluator's standard state machine (CodeDeploy's hour, `evaluationTimeout`, the smoke function's timeout). */
export function standardLimits(evaluator: EvaluatorBinding): DeploymentLimits {
  return { evaluationTimeoutSeconds: evaluator.evaluationTimeoutSeconds ?? DEFAULT_EVALUATION_TIMEOUT_SECONDS, smokeTimeoutSeconds: evaluator.smokeFunctionTimeout?.toSeconds() };
}

/** The construct id of a group's registration; each group registers once per evaluator, with one policy. */
export function registrationIdOf(group: IConstruct, registered: Set<string>, evaluatorPath: string): string {
  if (registered.has(group.node.path)) {
    throw new Error(`${'deploymentGroupName' in group ? 'deployment group' : 'ECS service'} ${group.node.path} is already registered with ${evaluatorPath}; register each ${'deploymentGroupName' in group ? 'group' : 'service'} once, with one policy`);
  }
  registered.add(group.node.path);
  return Names.uniqueId(group).slice(-48);
}
