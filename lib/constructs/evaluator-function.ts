import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const LAMBDAS_DIR = join(__dirname, '..', '..', 'lambdas');

/** The runtime of every evaluator Lambda: the newest Node.js Lambda offers (nodejs20.x is deprecated). */
export const EVALUATOR_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface EvaluatorFunctionProps {
  /** Folder under `lambdas/` holding the handler's `index.ts`. */
  readonly handler: string;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - none */
  readonly environment?: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** @default - AWS-managed encryption */
  readonly encryptionKey?: kms.IKey;
  /** For asynchronously invoked functions only (hooks). @default - none */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Actions the function is granted on `*` because AWS offers no resource-level permission for them
   * (besides X-Ray's, which every traced function has); named in the cdk-nag acknowledgement.
   * @default - X-Ray only
   */
  readonly unscopableActions?: string[];
  /** @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's default selection */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - a new security group */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * One evaluator Lambda with what it always needs and nothing more: its own log group (retention,
 * optional KMS key), X-Ray tracing, explicit timeout and memory, and a role that may write to that
 * log group only (no AWS managed policy: `AWSLambdaBasicExecutionRole` allows every log group).
 */
export class EvaluatorFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EvaluatorFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `canary-evaluator ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(LAMBDAS_DIR, props.handler, 'index.ts'),
      runtime: EVALUATOR_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environmentEncryption: props.encryptionKey,
      deadLetterQueue: props.deadLetterQueue,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      bundling: { minify: true, sourceMap: false, format: OutputFormat.CJS, target: 'node24' },
      environment: { POWERTOOLS_SERVICE_NAME: 'canary-evaluator', ...props.environment },
    });

    const unscopable = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', ...(props.unscopableActions ?? [])];
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${unscopable.join(', ')} have no resource-level permissions (Service Authorization Reference); every other action is scoped`,
    });
    if (!props.deadLetterQueue) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by Step Functions, which retries and catches every error into a Failed report; a DLQ would never receive anything',
      });
    }
  }
}
