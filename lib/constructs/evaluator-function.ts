import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag-acknowledgements';
import { requireSupportedAwsCdkLib } from './peer-version';

/**
 * The root of the canary-evaluator package: this repository when run from source (`lib/constructs`),
 * `node_modules/canary-evaluator` when installed (`dist/lib/constructs`). Both hold the pre-bundled
 * handlers in `dist/assets/`, so the repository's synth and the published package deploy the same files.
 */
function packageRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'canary-evaluator') return dir;
  }
  throw new Error(`canary-evaluator: no package.json named "canary-evaluator" above ${__dirname}`);
}

/** `dist/assets/<handler>/index.js`, written by `scripts/build-assets.ts` (`npm run build:assets`). */
export const HANDLER_ASSETS_DIR = join(packageRoot(), 'dist', 'assets');

/** The pre-bundled handler's asset directory; a clear error when the assets were never built. */
export function handlerAssetDir(handler: string): string {
  const dir = join(HANDLER_ASSETS_DIR, handler);
  if (!existsSync(join(dir, 'index.js'))) {
    throw new Error(`canary-evaluator: the ${handler} handler bundle ${join(dir, 'index.js')} is missing; run \`npm run build:assets\` (an installed package ships it)`);
  }
  return dir;
}

/** The runtime of every evaluator Lambda: the newest Node.js Lambda offers (nodejs20.x is deprecated). */
export const EVALUATOR_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface EvaluatorFunctionProps {
  /** Folder under `lambdas/` holding the handler's `index.ts`; deployed from its bundle in `dist/assets/<handler>/`. */
  readonly handler: string;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - none */
  readonly environment?: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** @default - AWS-managed encryption */
  readonly encryptionKey?: kms.IKey;
  /** For asynchronously invoked functions only (CodeDeploy hooks). @default - none */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Why a function without `deadLetterQueue` needs none (the cdk-nag acknowledgement's reason).
   * @default - invoked synchronously by Step Functions, which retries and catches every error
   */
  readonly withoutDeadLetterQueue?: string;
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
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EvaluatorFunctionProps) {
    super(scope, id);
    requireSupportedAwsCdkLib(this);
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
    if (props.vpc) grantNetworkInterfaces(this.role);

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(handlerAssetDir(props.handler)),
      handler: 'index.handler',
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
      environment: { POWERTOOLS_SERVICE_NAME: 'canary-evaluator', ...props.environment },
    });

    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: Lazy.string({ produce: () => wildcardOnlyReason(this.role) }) });
    if (!props.deadLetterQueue) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: props.withoutDeadLetterQueue ?? 'Invoked synchronously by Step Functions, which retries and catches every error into a Failed report; a DLQ would never receive anything',
      });
    }
  }
}

/**
 * The reason for the role's `*` statements, written from the statements themselves when the template is
 * synthesized (grants made after construction, such as a registration's, are included): the actions
 * granted on `*`, which have no resource-level permissions (Service Authorization Reference).
 */
function wildcardOnlyReason(role: iam.Role): string {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const statements = (policy ? Stack.of(role).resolve(policy.document.toJSON())?.Statement ?? [] : []) as Array<{ Action: string | string[]; Resource: unknown }>;
  const actions = statements.filter((statement) => [statement.Resource].flat().includes('*')).flatMap((statement) => [statement.Action].flat());
  return `${[...new Set(actions)].sort().join(', ')} have no resource-level permissions (Service Authorization Reference); every other action is scoped`;
}

/**
 * What Lambda needs of a VPC function's execution role to create and remove its network interfaces
 * (Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC", execution
 * role permissions; the same actions as the AWS managed policy AWSLambdaVPCAccessExecutionRole, which
 * CDK attaches only to roles it creates). Lambda checks them when it creates the function, so without
 * them the deployment fails. `DescribeNetworkInterfaces` and `DescribeSubnets` are wildcard-only; the
 * others are limited to network interfaces, subnets and security groups of this account and Region (all
 * their ids, as the guide asks for `DeleteNetworkInterface`: the interfaces are named at run time).
 */
function grantNetworkInterfaces(role: iam.Role): void {
  const stack = Stack.of(role);
  const resources = ['network-interface', 'subnet', 'security-group'].map((type) => `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:${type}/*`);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'], resources }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] }));
  acknowledgeWildcardResources(role, resources, "Lambda creates and deletes the VPC function's network interfaces, named at run time, in the subnets and security groups it is given (Lambda Developer Guide, VPC execution role permissions)");
}
