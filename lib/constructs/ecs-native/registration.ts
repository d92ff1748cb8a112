import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  ECS_DEPLOYMENT_STRATEGIES,
  ECS_EVALUATED_STAGES,
  ECS_HOOK_ENVIRONMENT,
  ECS_HOOK_INVOKE_ROLE,
  type EcsDeploymentStrategy,
  type EcsEvaluatedStage,
  type EcsHookTimeoutConfiguration,
  type EcsNativeService,
} from '../../evaluation/ecs-native/contract';
import { judgedProductionSteps } from '../../evaluation/ecs-native/alpha';
import type { Policy } from '../../policy';
import { fitToMachine, hookTimeoutFor, hookTimeoutMinutes, type EcsNativeExtendedMachine, type EcsNativeFit } from './fit';
import { ecsTargetsOf, type EcsTargets } from '../ecs-targets';
import { PolicyRegistration, type EvaluatorBinding, type RegisteredDeploymentGroup, type RegistrationOptions } from '../registration';
import { grantEcsHookStatuses } from '../report-bucket';
import { tagForEvaluator } from '../registration-tags';
import { smokeHostsEnvironment } from '../smoke-hosts';
import type { VerdictDimensions } from '../../evaluation/verdict-metric';
import { verdictAlarmName } from '../verdict-alarm';

/**
 * Registration of an ECS service deployed by Amazon ECS itself (deployment controller `ECS`, strategy
 * BLUE_GREEN, LINEAR or CANARY) rather than by CodeDeploy: one hook function at the lifecycle stages the
 * policy needs, the role ECS assumes to invoke it, and the hook's timeout. The contract (stages, payload,
 * answers, timeout limits, the invoke role) is lib/evaluation/ecs-native/contract.ts, which cites the
 * Amazon ECS documents it follows; this file cites them as [HOOKS], [LAMBDA], [PERMS], [API-TIMEOUT], [CFN].
 *
 * What aws-cdk-lib supports, and what it does not (2.276, checked in node_modules/aws-cdk-lib/aws-ecs):
 * - `BaseService.addLifecycleHook` with `DeploymentLifecycleLambdaTarget` renders `HookTargetArn`, `RoleArn`
 *   and `LifecycleStages` (and refuses a service whose deployment controller is not ECS): used here.
 * - It renders neither `TimeoutConfiguration` nor `HookDetails` nor `TargetType` of
 *   `AWS::ECS::Service.DeploymentLifecycleHook`; `CfnService` has them. The timeout is therefore set by a
 *   property override of the CfnService, on the entry of our hook in the list the L2 renders (see
 *   `overrideHookTimeout`). `HookDetails` is not needed: the hook is told everything by its environment.
 */

export interface EcsServiceRegistration extends RegistrationOptions {
  /** The Application Load Balancer in front of the service: its target-group metrics compare the revisions, its DNS name is a smoke-test host. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * The primary target group: the one the service's load balancer entry names (blue, production traffic)
   * ([HOOKS]: "a primary target group for the blue service revision").
   */
  readonly productionTargetGroup: elbv2.IApplicationTargetGroup;
  /** The alternate target group of that entry (`ecs.AlternateTarget`): the green revision. */
  readonly alternateTargetGroup: elbv2.IApplicationTargetGroup;
  /**
   * The lifecycle stages to hook, among TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT
   * and POST_PRODUCTION_TRAFFIC_SHIFT.
   * @default - what the policy needs: POST_TEST_TRAFFIC_SHIFT for pre-traffic smoke tests, PRODUCTION_TRAFFIC_SHIFT
   *   for each step of a LINEAR or CANARY shift when the canary watch judges metrics, POST_PRODUCTION_TRAFFIC_SHIFT
   *   for the bake and post-deploy smoke tests
   */
  readonly stages?: readonly EcsEvaluatedStage[];
  /**
   * How long ECS waits for the hook at one stage before it takes the timeout action ([API-TIMEOUT]
   * `timeoutInMinutes`). Whole minutes, at least 60 (the evaluation's budget is the hour a CodeDeploy hook
   * has, which the policy was checked against) and at most 1440 (the range the Lambda hooks page gives; the
   * API allows 20160). The action is not an option: it is what the policy says of an evaluator error
   * (`onEvaluatorError: pass` or `dryRun`: CONTINUE; otherwise ROLLBACK), since a hook that never answered
   * is one.
   * @default Duration.minutes(60)
   */
  readonly hookTimeout?: Duration;
  /**
   * Whether on call may override this service's evaluations (`canary-eval override`, permitted by
   * `grantOverride`), as `allowOverrides` of a CodeDeploy registration: each stage's and each production
   * step's evaluation looks for its own override record; with `false` an override is refused, the refusal
   * recorded in the verdict.
   * @default true
   */
  readonly allowOverrides?: boolean;
}

/** What registering an ECS service on a native strategy created. */
export interface RegisteredEcsService extends RegisteredDeploymentGroup {
  /** The one hook function, registered at every stage in `stages`. */
  readonly hookFunction: lambda.IFunction;
  /** The role ECS assumes to invoke the hook ([PERMS]): trusted by ecs.amazonaws.com, allowed to invoke this function only. */
  readonly invokeRole: iam.IRole;
  /** The stages the hook runs at. */
  readonly stages: readonly EcsEvaluatedStage[];
  /** The hook's `TimeoutConfiguration`, as the service's template carries it and the hook is told it. */
  readonly hookTimeout: EcsHookTimeoutConfiguration;
  /** The state machine the hook starts: the evaluator's standard one, or its extended one when the policy bakes or watches longer. */
  readonly stateMachineArn: string;
  /** The service's strategy, as its template says. */
  readonly strategy: EcsDeploymentStrategy;
  /** What the hook receives in `ECS_TARGETS`. */
  readonly targets: EcsTargets;
  /** The labels the verdict metrics, events and reports name the service by (`ApplicationName`: the cluster, `DeploymentGroupName`: the service). */
  readonly verdictDimensions: VerdictDimensions;
}

/** What an ECS native registration needs of the evaluator beyond every registration's binding: the store of hook statuses. */
export interface EcsNativeEvaluatorBinding extends EvaluatorBinding {
  /** The evaluator's report bucket: the hook statuses live under `ECS_HOOK_STATUS_STORE.prefix`. @default - none: ECS native registration is refused */
  readonly reportBucket?: s3.IBucket;
  /**
   * The evaluator's extended state machine (`CanaryEvaluatorProps.ecsNativeMaxHookTimeout`): evaluations whose
   * bake or watch does not fit `evaluationTimeoutSeconds` run there, fitted to their own hook's timeout.
   * @default - none: every ECS native policy must fit the standard evaluation timeout
   */
  readonly ecsNativeExtended?: EcsNativeExtendedMachine;
}

/** ECS services that already carry a canary-evaluator hook (one evaluator, one policy per service). */
const hookedServices = new WeakSet<ecs.BaseService>();

/** The strategy of the service, as a literal; a clear error when it has none with lifecycle hooks. */
function strategyOf(service: ecs.BaseService, cfn: ecs.CfnService): EcsDeploymentStrategy {
  const controller = Stack.of(service).resolve(cfn.deploymentController) as { type?: string } | undefined;
  if (controller?.type !== undefined && controller.type !== 'ECS') {
    throw new Error(
      `cannot register ${service.node.path} as an ECS native deployment: its deployment controller is ${controller.type}. Lifecycle hooks need the ECS deployment controller ([CFN] DeploymentConfiguration); for CODE_DEPLOY, register its deployment group with registerEcsDeploymentGroup.`,
    );
  }
  const configuration = Token.isUnresolved(cfn.deploymentConfiguration) ? undefined : (cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined);
  const strategy = configuration?.strategy;
  if (typeof strategy !== 'string' || Token.isUnresolved(strategy) || !(ECS_DEPLOYMENT_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new Error(
      `cannot register ${service.node.path} as an ECS native deployment: its deployment strategy is ${typeof strategy === 'string' && !Token.isUnresolved(strategy) ? strategy : 'ROLLING (the default)'}, which has no traffic shift and no lifecycle hooks to judge at. ` +
        `Set deploymentStrategy to ecs.DeploymentStrategy.BLUE_GREEN, LINEAR or CANARY on the service (Amazon ECS Developer Guide, "Amazon ECS deployment types").`,
    );
  }
  return strategy as EcsDeploymentStrategy;
}

/**
 * The step percent of a LINEAR (`LinearConfiguration.StepPercent`) or CANARY (`CanaryConfiguration.CanaryPercent`)
 * service, as its template says ([CFN]): undefined when not set (ECS's default applies, [API-LINEAR],
 * [API-CANARY]), `'unknown'` when it is not a literal the synthesis can read.
 */
function stepPercentOf(cfn: ecs.CfnService, strategy: EcsDeploymentStrategy): number | 'unknown' | undefined {
  if (strategy === 'BLUE_GREEN') return undefined;
  const stack = Stack.of(cfn);
  const configuration = Token.isUnresolved(cfn.deploymentConfiguration) ? 'unknown' : (cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined);
  if (configuration === 'unknown') return 'unknown';
  const settings = stack.resolve(strategy === 'LINEAR' ? configuration?.linearConfiguration : configuration?.canaryConfiguration) as { stepPercent?: unknown; canaryPercent?: unknown } | undefined;
  const percent = strategy === 'LINEAR' ? settings?.stepPercent : settings?.canaryPercent;
  if (percent === undefined) return undefined;
  return typeof percent === 'number' && Number.isFinite(percent) && percent > 0 && percent <= 100 ? percent : 'unknown';
}

/** The stages the policy needs on this strategy (see `EcsServiceRegistration.stages`). */
export function stagesForPolicy(policy: Policy, strategy: EcsDeploymentStrategy): EcsEvaluatedStage[] {
  const stages: EcsEvaluatedStage[] = [];
  const smokeIn = (phase: 'pre-traffic' | 'post-deploy') => policy.smokeTests.some((test) => test.phase === phase || test.phase === 'both');
  const judgesMetrics = policy.metrics.length > 0;
  if (smokeIn('pre-traffic')) stages.push('POST_TEST_TRAFFIC_SHIFT');
  // BLUE_GREEN shifts all production traffic at once ([HOOKS]): no step leaves the blue revision traffic to compare with.
  if (strategy !== 'BLUE_GREEN' && policy.canaryWatch.enabled && judgesMetrics) stages.push('PRODUCTION_TRAFFIC_SHIFT');
  if ((policy.bake.enabled !== false && judgesMetrics) || smokeIn('post-deploy')) stages.push('POST_PRODUCTION_TRAFFIC_SHIFT');
  return stages;
}

/**
 * Sets `TimeoutConfiguration` on the entries of `DeploymentConfiguration.LifecycleHooks` whose
 * `HookTargetArn` is `hook`, in the list the L2 renders ([CFN] `DeploymentLifecycleHook.TimeoutConfiguration`,
 * `HookTimeoutConfig` {`Action`, `TimeoutInMinutes`}). The L2's list is a cached lazy value, rendered once at
 * synthesis with every hook added by then; the override is resolved after it and merged into the rendered
 * list by index (CloudFormation overrides merge into lists element by element), so hooks others add to the
 * same service keep their own settings.
 */
function overrideHookTimeout(cfn: ecs.CfnService, hook: lambda.IFunction, timeout: EcsHookTimeoutConfiguration): void {
  const stack = Stack.of(cfn);
  cfn.addPropertyOverride(
    'DeploymentConfiguration.LifecycleHooks',
    Lazy.any({
      produce: () => {
        const configuration = cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty;
        const rendered = (stack.resolve(configuration.lifecycleHooks) ?? []) as Array<{ hookTargetArn?: unknown }>;
        const ours = JSON.stringify(stack.resolve(hook.functionArn));
        const entries = rendered.flatMap((entry, index) => (JSON.stringify(entry.hookTargetArn) === ours ? [[String(index), { TimeoutConfiguration: { Action: timeout.action, TimeoutInMinutes: timeout.timeoutInMinutes } }] as const] : []));
        if (entries.length === 0) throw new Error(`${cfn.node.path}: the canary-evaluator lifecycle hook is missing from DeploymentConfiguration.LifecycleHooks; was the service's deploymentConfiguration replaced after registration?`);
        return Object.fromEntries(entries);
      },
    }),
  );
}

/**
 * At synthesis, once the service's load balancers are attached: the service's load balancer entry names
 * the production target group, with the alternate one as its `AdvancedConfiguration.AlternateTargetGroupArn`
 * ([CFN] `AWS::ECS::Service.LoadBalancer`, `AdvancedConfiguration`). Without it ECS has no green target group
 * to shift, and the hook would compare the wrong target groups.
 */
function validateTargetGroups(service: ecs.BaseService, cfn: ecs.CfnService, production: elbv2.ITargetGroup, alternate: elbv2.ITargetGroup): void {
  service.node.addValidation({
    validate: () => {
      const stack = Stack.of(cfn);
      const same = (a: unknown, b: unknown) => JSON.stringify(stack.resolve(a)) === JSON.stringify(stack.resolve(b));
      const entries = (stack.resolve(cfn.loadBalancers) ?? []) as Array<{ targetGroupArn?: unknown; advancedConfiguration?: { alternateTargetGroupArn?: unknown } }>;
      if (entries.some((entry) => same(entry.targetGroupArn, production.targetGroupArn) && same(entry.advancedConfiguration?.alternateTargetGroupArn, alternate.targetGroupArn))) return [];
      return [
        `${service.node.path} is registered with canary-evaluator with productionTargetGroup and alternateTargetGroup, but none of its load balancer entries names that target group with that alternate target group. ` +
          'Attach it with service.loadBalancerTarget({ containerName, alternateTarget: new ecs.AlternateTarget(…, { alternateTargetGroup, productionListener }) }) and the same two target groups (Amazon ECS Developer Guide, "Application Load Balancer resources for blue/green deployments").',
      ];
    },
  });
}

/** The cluster and service labels of the verdict metrics: the service's name when the app gives it one, else its construct path (a reference to the service would be circular: the service references the hook). */
function verdictLabels(service: ecs.BaseService, cfn: ecs.CfnService): VerdictDimensions {
  const name = cfn.serviceName !== undefined && !Token.isUnresolved(cfn.serviceName) ? cfn.serviceName : service.node.path;
  return { ApplicationName: service.cluster.clusterName, DeploymentGroupName: name };
}

/** The resources of one registered ECS service: the shared registration steps, its hook, invoke role and hook timeout. */
class EcsServiceRegistrationConstruct extends PolicyRegistration {
  readonly registered: RegisteredEcsService;

  constructor(scope: Construct, id: string, evaluator: EcsNativeEvaluatorBinding, service: ecs.BaseService, options: EcsServiceRegistration) {
    const minutes = hookTimeoutMinutes(options.hookTimeout, service.node.path);
    const fit = fitToMachine(evaluator, options, minutes, service.node.path);
    super(scope, id, evaluator, service, options, 'ecs', fit.limits);
    this.registered = this.register(evaluator, service, options, minutes, fit.machine);
  }

  private register(evaluator: EcsNativeEvaluatorBinding, service: ecs.BaseService, options: EcsServiceRegistration, minutes: number, machine: EcsNativeFit['machine']): RegisteredEcsService {
    const where = service.node.path;
    const cfn = service.node.defaultChild as ecs.CfnService;
    const strategy = strategyOf(service, cfn);
    if (this.policy.canaryWatch.enabled && this.policy.canaryWatch.stopDeploymentOnFail) {
      throw new Error(
        `policy of ${where}: canaryWatch.stopDeploymentOnFail stops CodeDeploy deployments; on an ECS native strategy a failing step's hook answers FAILED and ECS rolls back ([LAMBDA] "hookStatus values"). Remove it from this policy.`,
      );
    }
    const stages = [...(options.stages ?? stagesForPolicy(this.policy, strategy))];
    const unknown = stages.filter((stage) => !(ECS_EVALUATED_STAGES as readonly string[]).includes(stage));
    if (unknown.length > 0) throw new Error(`${where}: stages ${unknown.join(', ')} are not judged by canary-evaluator; choose among ${ECS_EVALUATED_STAGES.join(', ')}`);
    if (new Set(stages).size !== stages.length) throw new Error(`${where}: stages lists a stage twice (${stages.join(', ')})`);
    if (stages.length === 0) {
      throw new Error(
        `policy of ${where} judges nothing at any lifecycle stage of a ${strategy} deployment: it has no smoke tests and no metrics to bake, and the canary watch ${strategy === 'BLUE_GREEN' ? 'has no step to judge on BLUE_GREEN' : 'is off'}. Add metrics or smoke tests, or pass \`stages\`.`,
      );
    }
    if (options.productionTargetGroup === options.alternateTargetGroup) throw new Error(`${where}: productionTargetGroup and alternateTargetGroup are the same target group; the canary would be compared with itself`);
    if (!evaluator.reportBucket) {
      throw new Error(
        `cannot register ${where} as an ECS native deployment: the evaluator's report bucket is unknown (the hook keeps its statuses there). Import the evaluator with \`reportBucketName\` in fromEvaluatorAttributes, or with fromEvaluatorName from an evaluator of this version.`,
      );
    }
    const hookTimeout = hookTimeoutFor(this.policy, minutes);
    const targets = ecsTargetsOf(options.loadBalancer, [options.productionTargetGroup, options.alternateTargetGroup]);
    const dimensions = verdictLabels(service, cfn);
    const stack = Stack.of(this);
    const nativeService: EcsNativeService = {
      primaryTargetGroup: options.productionTargetGroup.targetGroupName,
      alternateTargetGroup: options.alternateTargetGroup.targetGroupName,
      applicationName: dimensions.ApplicationName,
      deploymentGroupName: dimensions.DeploymentGroupName,
    };
    const hook = this.hookFunction(
      'Hook',
      {
        [ECS_HOOK_ENVIRONMENT.ecsTargets]: stack.toJsonString(targets),
        [ECS_HOOK_ENVIRONMENT.service]: stack.toJsonString(nativeService),
        [ECS_HOOK_ENVIRONMENT.hookTimeout]: JSON.stringify(hookTimeout),
        [ECS_HOOK_ENVIRONMENT.productionSteps]: String(judgedProductionSteps(stages, strategy, stepPercentOf(cfn, strategy))),
        [ECS_HOOK_ENVIRONMENT.reportBucket]: evaluator.reportBucket.bucketName,
        // As a CodeDeploy hook's (lib/constructs/codedeploy/registration.ts): only an evaluator that knows its report bucket has override records.
        ...(evaluator.overrideBucketName ? { [ECS_HOOK_ENVIRONMENT.overrideSettings]: stack.toJsonString({ bucket: evaluator.overrideBucketName, allowed: options.allowOverrides ?? true }) } : {}),
        ...smokeHostsEnvironment(this, this.policy, [options.loadBalancer.loadBalancerDnsName], options.allowedSmokeTestHosts ?? [], where),
      },
      { asynchronous: false, why: 'Invoked synchronously by Amazon ECS, which reads the answer and rolls the deployment back when the function fails ([LAMBDA]); there is no asynchronous event to keep' },
      machine,
    );
    // The service carries the registration tag, as a protected deployment group does: `canary-eval coverage`
    // counts a native service protected by it (lib/report/coverage.ts). The hook function is not tagged: the
    // evaluator's tag-based grants (smoke invocations) must not reach it.
    tagForEvaluator(service, 'AWS::ECS::Service', evaluator.registrationTag, 'be seen as protecting it by canary-eval coverage');
    // The hook statuses: read and created (conditional PutObject) under their prefix of the report bucket only.
    grantEcsHookStatuses(evaluator.reportBucket, hook, evaluator.encryptionKey);

    // The role ECS assumes to invoke the hook ([PERMS]: trust ecs.amazonaws.com, lambda:InvokeFunction). The
    // guide's sample allows every function (`function:*`); this role may invoke the hook function only
    // (unqualified: ECS invokes the HookTargetArn as given, i.e. $LATEST).
    const invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal(ECS_HOOK_INVOKE_ROLE.servicePrincipal),
      description: `canary-evaluator: Amazon ECS invokes the lifecycle hook of ${where}`,
    });
    invokeRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...ECS_HOOK_INVOKE_ROLE.actions], resources: [hook.functionArn] }));
    service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook, 'CanaryEvaluatorHook', { role: invokeRole, lifecycleStages: stages.map((stage) => ecs.DeploymentLifecycleStage[stage]) }));
    overrideHookTimeout(cfn, hook, hookTimeout);
    validateTargetGroups(service, cfn, options.productionTargetGroup, options.alternateTargetGroup);

    const { verdictAlarm, hookErrorsAlarm } = this.alarms(dimensions, { Hook: hook }, { title: service.node.id, platform: `ECS native ${strategy}`, actor: 'Amazon ECS' });
    // ECS deployment alarms: a failing verdict between hook invocations (a step's bake) rolls back too (Amazon
    // ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment failures"; the linear and canary
    // strategies support them). By literal name: the alarm's dimensions do not reference the service.
    if (options.addVerdictAlarm ?? true) service.enableDeploymentAlarms([verdictAlarmName(this)], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
    // A deployment must not start before what its evaluation needs exists: the alarm it watches, the tag on
    // the policy object, the role's permission to invoke the hook.
    service.node.addDependency(verdictAlarm, this.policyTagger, invokeRole);

    return {
      policy: this.policy,
      policyAsset: this.policyAsset,
      policyTagger: this.policyTagger,
      hooks: { Hook: hook },
      verdictAlarm,
      hookErrorsAlarm,
      hookFunction: hook,
      invokeRole,
      stages,
      hookTimeout,
      stateMachineArn: machine.stateMachineArn,
      strategy,
      targets,
      verdictDimensions: dimensions,
    };
  }
}

/**
 * Protects an ECS service that Amazon ECS deploys itself (BLUE_GREEN, LINEAR or CANARY): a hook function at
 * the stages the policy needs, invoked by ECS through its own role, with the hook's timeout.
 */
export function registerEcsNativeService(scope: Construct, id: string, evaluator: EcsNativeEvaluatorBinding, service: ecs.BaseService, options: EcsServiceRegistration): RegisteredEcsService {
  if (!(service instanceof ecs.BaseService)) {
    throw new Error(`registerEcsService: ${(service as Construct).node?.path ?? 'the service'} is not an ecs.FargateService or ecs.Ec2Service of this app; an imported service's template cannot take lifecycle hooks here`);
  }
  if (hookedServices.has(service)) throw new Error(`ECS service ${service.node.path} is already registered with a canary-evaluator; register each service once, with one policy`);
  hookedServices.add(service);
  return new EcsServiceRegistrationConstruct(scope, id, evaluator, service, options).registered;
}
