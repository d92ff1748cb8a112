import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { loadPolicyFile, parsePolicy, type Policy, type PolicyInput } from '../policy';
import type { LifecycleEvent } from '../evaluation/state';
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
    this.policyReaders = [this.prepareFunction, this.evaluateFunction];

    // GetMetricData does not support resource-level permissions (Service Authorization Reference, CloudWatch).
    this.evaluateFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildEvaluationDefinition(new Construct(this, 'Workflow'), { prepare: this.prepareFunction, evaluate: this.evaluateFunction, report: this.reportFunction }),
      ),
      timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
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
    const gatedAlarms = policy.metrics.flatMap((metric) => (metric.kind === 'alarm' ? metric.alarmNames : []));
    if (gatedAlarms.length > 0) {
      const stack = Stack.of(this);
      const alarmArns = gatedAlarms.map((name) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
      this.evaluateFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }));
    }

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
