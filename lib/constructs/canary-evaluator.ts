import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { loadPolicyFile, parsePolicy, type Policy, type PolicyInput } from '../policy';
import type { LifecycleEvent } from '../evaluation/state';
import { VERDICT_NAMESPACE } from '../evaluation/verdict-metric';
import { buildEvaluationDefinition } from './evaluation-definition';

const LAMBDAS_DIR = join(__dirname, '..', '..', 'lambdas');

export interface CanaryEvaluatorProps {
  /**
   * Longest an evaluation may run. Must leave time to report before CodeDeploy's one-hour hook deadline.
   * @default Duration.minutes(55)
   */
  readonly evaluationTimeout?: Duration;
  /**
   * Retention of the evaluator's Lambda and state machine logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export interface LambdaDeploymentGroupRegistration {
  /**
   * The evaluation policy: a policy object, or the path of a YAML/JSON policy file.
   * Validated at synth time; a bad policy fails `cdk synth` with the path of every error.
   */
  readonly policy: PolicyInput | string;
  /**
   * The function the deployment group deploys: Lambda smoke tests invoke its target version directly.
   * @default - none; a policy with Lambda smoke tests then fails synth
   */
  readonly smokeTestFunction?: lambda.IFunction;
}

/** What registering a deployment group created. */
export interface RegisteredDeploymentGroup {
  readonly policy: Policy;
  readonly preHook: lambda.IFunction;
  readonly postHook: lambda.IFunction;
}

/**
 * A serverless post-deploy evaluator: CodeDeploy lifecycle hooks start a Step Functions evaluation that
 * compares the new version with the current one and reports `Succeeded` or `Failed` to CodeDeploy.
 * Many deployment groups share one evaluator; register each with `registerLambdaDeploymentGroup`.
 */
export class CanaryEvaluator extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly prepareFunction: NodejsFunction;
  public readonly evaluateFunction: NodejsFunction;
  public readonly reportFunction: NodejsFunction;
  /** Runs the policy's smoke tests (Lambda invocations of the target version, HTTP checks). */
  public readonly smokeFunction: NodejsFunction;
  /** One look at the canary window while traffic shifts. */
  public readonly watchFunction: NodejsFunction;
  /** Reports `Failed` for an execution that FAILED, TIMED_OUT or was ABORTED (the reaper). */
  public readonly reaperRule: events.Rule;
  public readonly logGroup: logs.LogGroup;

  private readonly logRetention: logs.RetentionDays;
  private readonly policyReaders: iam.IGrantable[];

  constructor(scope: Construct, id: string, props: CanaryEvaluatorProps = {}) {
    super(scope, id);
    const timeout = props.evaluationTimeout ?? Duration.minutes(55);
    if (timeout.toSeconds() >= 3600) {
      throw new Error(`evaluationTimeout is ${timeout.toHumanString()}; it must be under 1 hour so the hook is reported before CodeDeploy's deadline`);
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.prepareFunction = this.lambda('Prepare', 'prepare', { timeout: Duration.seconds(30) });
    this.evaluateFunction = this.lambda('Evaluate', 'evaluate', { timeout: Duration.seconds(60) });
    this.reportFunction = this.lambda('Report', 'report', { timeout: Duration.seconds(30) });
    // --- Evaluation workflow: smoke tests, canary watch, verdict outputs (see docs/workflow.md) ---
    this.smokeFunction = this.lambda('Smoke', 'smoke', { timeout: Duration.seconds(60) });
    this.watchFunction = this.lambda('Watch', 'watch', { timeout: Duration.seconds(60) });
    this.policyReaders = [this.prepareFunction, this.evaluateFunction, this.smokeFunction, this.watchFunction, this.reportFunction];
    this.watchFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    for (const publisher of [this.evaluateFunction, this.watchFunction, this.reportFunction]) {
      // PutMetricData has no resource-level permissions; the namespace condition keeps it to the verdict metrics.
      publisher.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': VERDICT_NAMESPACE } } }),
      );
      publisher.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [events.EventBus.fromEventBusName(this, `${publisher.node.id}DefaultBus`, 'default').eventBusArn] }),
      );
    }
    // --- end evaluation workflow ---

    // GetMetricData does not support resource-level permissions (Service Authorization Reference, CloudWatch).
    this.evaluateFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildEvaluationDefinition(new Construct(this, 'Workflow'), {
          prepare: this.prepareFunction,
          evaluate: this.evaluateFunction,
          report: this.reportFunction,
          smoke: this.smokeFunction,
          watch: this.watchFunction,
        }),
      ),
      timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    // --- Reaper: a timeout or abort cannot be caught inside the machine; the report Lambda reports Failed ---
    this.reaperRule = new events.Rule(this, 'Reaper', {
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
    });
    this.reaperRule.addTarget(new eventsTargets.LambdaFunction(this.reportFunction, { retryAttempts: 8, maxEventAge: Duration.minutes(30) }));
    // Executions' input, for events that do not carry it. A separate policy: in the function's default
    // policy it would make the function depend on the state machine that invokes it (a cycle).
    new iam.Policy(this, 'ReaperDescribeExecution', {
      roles: [this.reportFunction.role!],
      statements: [
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution'],
          resources: [Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${this.stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      ],
    });
    // --- end reaper ---
  }

  /**
   * Protects a Lambda deployment group: CodeDeploy calls the evaluator before traffic shifts
   * (`preHook`) and after all traffic has shifted (`postHook`).
   */
  registerLambdaDeploymentGroup(group: LambdaDeploymentGroup, registration: LambdaDeploymentGroupRegistration): RegisteredDeploymentGroup {
    const policy = typeof registration.policy === 'string' ? loadPolicyFile(registration.policy) : parsePolicy(registration.policy, `policy of ${group.node.path}`);
    const groupId = Names.uniqueId(group).slice(-48);

    // The policy travels as an S3 asset (policies may be tens of KB, too large for environment variables).
    const policyDir = mkdtempSync(join(tmpdir(), 'canary-policy-'));
    writeFileSync(join(policyDir, 'policy.json'), JSON.stringify(policy));
    const policyAsset = new Asset(this, `${groupId}Policy`, { path: join(policyDir, 'policy.json') });
    const readPolicy = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [policyAsset.bucket.arnForObjects(policyAsset.s3ObjectKey)] });
    for (const reader of this.policyReaders) reader.grantPrincipal.addToPrincipalPolicy(readPolicy);

    const hook = (event: LifecycleEvent) => {
      const fn = this.lambda(`${groupId}${event}Hook`, 'hook', {
        timeout: Duration.seconds(30),
        environment: {
          LIFECYCLE_EVENT: event,
          POLICY_BUCKET: policyAsset.s3BucketName,
          POLICY_KEY: policyAsset.s3ObjectKey,
          STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        },
      });
      this.stateMachine.grantStartExecution(fn);
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment'], resources: [group.deploymentGroupArn] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetApplicationRevision'], resources: [group.application.applicationArn] }));
      return fn;
    };
    const preHook = hook('BeforeAllowTraffic');
    const postHook = hook('AfterAllowTraffic');
    // Both also grant the hook PutLifecycleEventHookExecutionStatus on this group (reporting when it cannot start).
    group.addPreHook(preHook);
    group.addPostHook(postHook);
    group.grantPutLifecycleEventHookExecutionStatus(this.reportFunction);

    // --- Evaluation workflow grants for this group ---
    this.watchFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment', 'codedeploy:StopDeployment'], resources: [group.deploymentGroupArn] }));
    const lambdaSmokeTests = policy.smokeTests.filter((test) => test.type === 'lambda');
    if (lambdaSmokeTests.length > 0 && !registration.smokeTestFunction) {
      throw new Error(`policy of ${group.node.path} has Lambda smoke tests (${lambdaSmokeTests.map((t) => t.name).join(', ')}); pass smokeTestFunction so the evaluator may invoke its versions`);
    }
    if (registration.smokeTestFunction) {
      // Versions are published by each deployment: allow any qualifier of this one function.
      this.smokeFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [registration.smokeTestFunction.functionArn, `${registration.smokeTestFunction.functionArn}:*`] }),
      );
    }
    // --- end evaluation workflow grants ---
    return { policy, preHook, postHook };
  }

  private lambda(id: string, handlerDir: string, props: NodejsFunctionProps): NodejsFunction {
    return new NodejsFunction(this, id, {
      entry: join(LAMBDAS_DIR, handlerDir, 'index.ts'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY }),
      bundling: { minify: true, sourceMap: false, format: OutputFormat.CJS, target: 'node22' },
      ...props,
      environment: { POWERTOOLS_SERVICE_NAME: 'canary-evaluator', ...props.environment },
    });
  }
}
