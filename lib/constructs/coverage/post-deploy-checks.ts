import { Annotations, Aspects, Stack, Token, type IAspect } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ECS_DEPLOYMENT_STRATEGIES } from '../../evaluation/ecs-native/contract';
import { exempt, exemptionOf, isProtected } from './protection';

export interface PostDeployChecksOptions {
  /**
   * What a construct without post-deploy checks does to synthesis: `error` fails `cdk synth`
   * (the practice is how the team works), `warn` prints it and goes on (while teams adopt it).
   * @default 'error'
   */
  readonly onMissing?: 'error' | 'warn';
  /**
   * Also require JSON log format (Lambda `LoggingConfig.LogFormat: JSON`) on every function a CodeDeploy
   * deployment group deploys: structured logs are what log-based signals and on-call searches read.
   * @default false
   */
  readonly requireStructuredLogs?: boolean;
  /**
   * Also require active tracing (Lambda `TracingConfig.Mode: Active`) on every function a CodeDeploy
   * deployment group deploys, so a smoke request and the evaluation show in the service's own traces.
   * @default false
   */
  readonly requireTracing?: boolean;
}

/** The kinds of finding, as the annotation ids name them (`cdk synth` prints `[ack: <id>]`). */
export const COVERAGE_FINDINGS = {
  unprotectedGroup: 'canary-evaluator:unprotected-deployment-group',
  unprotectedL1Group: 'canary-evaluator:unprotected-l1-deployment-group',
  nativeEcs: 'canary-evaluator:unprotected-ecs-native-deployment',
  logFormat: 'canary-evaluator:function-without-json-logs',
  tracing: 'canary-evaluator:function-without-tracing',
} as const;

/** ECS deployment strategies with traffic shifting and lifecycle hooks: the contract's list (lib/evaluation/ecs-native/contract.ts). */
const NATIVE_ECS_STRATEGIES: ReadonlySet<string> = new Set(ECS_DEPLOYMENT_STRATEGIES);

/**
 * Post-deploy checks as how the team works, not something people remember: an Aspect over the app that
 * finds every CodeDeploy deployment group and every ECS service on a native traffic-shifting strategy
 * (BLUE_GREEN, LINEAR, CANARY) that no evaluator protects (and, when asked, every deployed function
 * without JSON logs or tracing), and fails synthesis — or warns — naming the construct path and the one
 * line that fixes it.
 *
 * ```ts
 * PostDeployChecks.require(app);                                  // every group must be registered
 * PostDeployChecks.require(app, { onMissing: 'warn', requireStructuredLogs: true });
 * PostDeployChecks.exempt(legacyGroup, 'batch job, judged by its own smoke suite');
 * ```
 */
export class PostDeployChecks implements IAspect {
  /** Adds the checks to `scope` (usually the app) and everything in it. */
  static require(scope: IConstruct, options: PostDeployChecksOptions = {}): PostDeployChecks {
    const checks = new PostDeployChecks(options);
    Aspects.of(scope).add(checks);
    return checks;
  }

  /** Lets `construct` (and everything in it) go without post-deploy checks, for a stated reason kept in the cloud assembly. */
  static exempt(construct: IConstruct, reason: string): void {
    exempt(construct, reason);
  }

  private readonly onMissing: 'error' | 'warn';

  private constructor(private readonly options: PostDeployChecksOptions) {
    this.onMissing = options.onMissing ?? 'error';
  }

  visit(node: IConstruct): void {
    if (exemptionOf(node) !== undefined) return;
    if (node instanceof codedeploy.LambdaDeploymentGroup && !isProtected(node)) {
      this.report(node, COVERAGE_FINDINGS.unprotectedGroup, `${node.node.path}: CodeDeploy deployment group with no post-deploy checks. Fix: evaluator.registerLambdaDeploymentGroup(group, { policy: 'policy.yaml', alias }) — or PostDeployChecks.exempt(group, 'why').`);
    } else if (node instanceof codedeploy.EcsDeploymentGroup && !isProtected(node)) {
      this.report(node, COVERAGE_FINDINGS.unprotectedGroup, `${node.node.path}: CodeDeploy deployment group with no post-deploy checks. Fix: evaluator.registerEcsDeploymentGroup(group, { policy: 'policy.yaml', loadBalancer, blueTargetGroup, greenTargetGroup }) — or PostDeployChecks.exempt(group, 'why').`);
    } else if (node instanceof codedeploy.CfnDeploymentGroup && !isL2Child(node)) {
      this.report(node, COVERAGE_FINDINGS.unprotectedL1Group, `${node.node.path}: CodeDeploy deployment group made as a CfnDeploymentGroup, which an evaluator cannot register. Fix: make it with LambdaDeploymentGroup or EcsDeploymentGroup and register it — or PostDeployChecks.exempt(group, 'why').`);
    } else if (node instanceof ecs.CfnService && NATIVE_ECS_STRATEGIES.has(nativeStrategyOf(node) ?? '') && !isProtected(node) && !isProtected(serviceScope(node))) {
      this.report(
        node,
        COVERAGE_FINDINGS.nativeEcs,
        `${serviceScope(node).node.path}: ECS service with the native ${nativeStrategyOf(node)} deployment strategy and no post-deploy checks. Fix: evaluator.registerEcsService(service, { policy: 'policy.yaml', loadBalancer, productionTargetGroup, alternateTargetGroup }) — or PostDeployChecks.exempt(service, 'why').`,
      );
    } else if (node instanceof lambda.Alias && deployedByCodeDeploy(node)) {
      this.checkDeployedFunction(node);
    }
  }

  private checkDeployedFunction(alias: lambda.Alias): void {
    const fn = alias.version.lambda;
    const cfn = fn.node.defaultChild;
    if (!(cfn instanceof lambda.CfnFunction) || exemptionOf(fn) !== undefined) return;
    const stack = Stack.of(cfn);
    if (this.options.requireStructuredLogs) {
      const logging = stack.resolve(cfn.loggingConfig) as { LogFormat?: string; logFormat?: string } | undefined;
      if ((logging?.LogFormat ?? logging?.logFormat) !== 'JSON') {
        this.report(fn, COVERAGE_FINDINGS.logFormat, `${fn.node.path}: deployed by CodeDeploy (alias ${alias.aliasName}) with plain-text logs. Fix: loggingFormat: lambda.LoggingFormat.JSON on the function.`);
      }
    }
    if (this.options.requireTracing) {
      const tracing = stack.resolve(cfn.tracingConfig) as { Mode?: string; mode?: string } | undefined;
      if ((tracing?.Mode ?? tracing?.mode) !== 'Active') {
        this.report(fn, COVERAGE_FINDINGS.tracing, `${fn.node.path}: deployed by CodeDeploy (alias ${alias.aliasName}) without active tracing. Fix: tracing: lambda.Tracing.ACTIVE on the function.`);
      }
    }
  }

  private report(node: IConstruct, id: string, message: string): void {
    if (this.onMissing === 'error') Annotations.of(node).addError(message);
    else Annotations.of(node).addWarningV2(id, message);
  }
}

/** An L1 group inside an L2 `LambdaDeploymentGroup` or `EcsDeploymentGroup` is judged with its L2. */
function isL2Child(node: codedeploy.CfnDeploymentGroup): boolean {
  const parent = node.node.scope;
  return parent instanceof codedeploy.LambdaDeploymentGroup || parent instanceof codedeploy.EcsDeploymentGroup || parent instanceof codedeploy.ServerDeploymentGroup;
}

/**
 * The `DeploymentConfiguration.Strategy` of an ECS service, when it is a literal. Reads the strategy
 * alone: resolving the whole configuration would render (and cache) the L2's lazy lifecycle hooks
 * before every hook is added.
 */
function nativeStrategyOf(service: ecs.CfnService): string | undefined {
  const stack = Stack.of(service);
  const configuration = Token.isUnresolved(service.deploymentConfiguration) ? stack.resolve(service.deploymentConfiguration) : service.deploymentConfiguration;
  const strategy = (configuration as { strategy?: unknown; Strategy?: unknown } | undefined)?.strategy ?? (configuration as { Strategy?: unknown } | undefined)?.Strategy;
  const literal = Token.isUnresolved(strategy) ? stack.resolve(strategy) : strategy;
  return typeof literal === 'string' ? literal : undefined;
}

/** The L2 service that owns an L1 service (the construct a person registers), else the L1 itself. */
function serviceScope(service: ecs.CfnService): IConstruct {
  const parent = service.node.scope;
  return parent instanceof ecs.BaseService ? parent : service;
}

/**
 * A Lambda alias that a CodeDeploy deployment group shifts: the group sets the alias's
 * `CodeDeployLambdaAliasUpdate` update policy (CloudFormation User Guide, "UpdatePolicy attribute").
 */
function deployedByCodeDeploy(alias: lambda.Alias): boolean {
  const cfn = alias.node.defaultChild;
  return cfn instanceof lambda.CfnAlias && cfn.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate !== undefined;
}
