import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions, Serverless) findings the evaluator accepts, each at the narrowest construct
 * and with the reason. Everything else is fixed in the constructs themselves.
 */

/** `<fn.Arn>:*`, as cdk-nag names a grant on a function's versions and aliases. */
function versionsWildcard(fn: lambda.IFunction): string {
  const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
  return `Resource::<${logicalId}.Arn>:*`;
}

/** How cdk-nag writes a stack's region or account in a finding: the value, or `<AWS::Region>` for an environment-agnostic stack. */
function nagName(value: string, pseudoParameter: string): string {
  return Token.isUnresolved(value) ? `<${pseudoParameter}>` : value;
}

/** The evaluator's resources that carry acknowledged findings (a plain shape: no import of the evaluator construct). */
export interface EvaluatorNagScope {
  /** The standard state machine and, with `ecsNativeMaxHookTimeout`, the extended one. */
  readonly stateMachines: readonly sfn.StateMachine[];
  readonly functions: readonly lambda.IFunction[];
  readonly reaperPolicy: iam.Policy;
  readonly hookDeadLetterQueue: sqs.IQueue;
}

export function acknowledgeEvaluatorFindings(evaluator: EvaluatorNagScope): void {
  for (const stateMachine of evaluator.stateMachines) acknowledgeStateMachineFindings(stateMachine, evaluator);
  Validations.of(evaluator.reaperPolicy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ListDeploymentTargets and GetDeploymentTarget (the status CodeDeploy holds for a completed hook) have no resource type in the Service Authorization Reference',
  });
  Validations.of(evaluator.hookDeadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the hook Lambdas; it has no dead-letter queue of its own',
  });
  Validations.of(evaluator.hookDeadLetterQueue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This queue is itself the dead-letter queue of the hook Lambdas; nothing consumes it, the hook dead-letter alarm watches it',
  });
}

function acknowledgeStateMachineFindings(stateMachine: sfn.StateMachine, evaluator: EvaluatorNagScope): void {
  const machineRole = stateMachine.role.node.tryFindChild('DefaultPolicy');
  if (machineRole) {
    const validations = Validations.of(machineRole);
    for (const fn of evaluator.functions) {
      validations.acknowledge({
        id: `AwsSolutions-IAM5[${versionsWildcard(fn)}]`,
        reason: "Step Functions' LambdaInvoke grants the evaluator's own function and its versions (qualified ARNs); no other function",
      });
    }
    validations.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing and the CloudWatch Logs delivery APIs Step Functions logging needs have no resource-level permissions (Step Functions Developer Guide, "Logging")',
    });
  }
  Validations.of(evaluator.reaperPolicy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${nagName(Stack.of(stateMachine).region, 'AWS::Region')}:${nagName(Stack.of(stateMachine).account, 'AWS::AccountId')}:execution:<${Stack.of(stateMachine).getLogicalId(stateMachine.node.defaultChild as CfnElement)}.Name>:*]`,
    reason: "The reaper reads the input and history of this state machine's executions only (execution names are per deployment and hook)",
  });
}

/**
 * `LambdaDeploymentGroup.addPreHook`/`addPostHook` grant the group's CodeDeploy role invoke on
 * `<hook>:*`; acknowledged for these hooks only, on the group's role.
 */
export function acknowledgeHookInvokeGrant(role: iam.IRole, hooks: readonly lambda.IFunction[]): void {
  const policy = role.node.tryFindChild('DefaultPolicy') ?? role;
  for (const hook of hooks) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[${versionsWildcard(hook)}]`,
      reason: 'CodeDeploy invokes this canary-evaluator hook; CDK grants the function and its qualified ARNs, nothing else',
    });
  }
}

/**
 * A resource as cdk-nag names it in a finding (its `flattenCfnReference`): tokens resolved, `Ref` as
 * `<AWS::Partition>`, `Fn::GetAtt` as `<LogicalId.Attribute>`, joins concatenated, `${X}` of a
 * `Fn::Sub` as `<X>`.
 */
export function nagResource(scope: IConstruct, value: string): string {
  const render = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const object = (node ?? {}) as Record<string, unknown>;
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if (object['Fn::Sub'] !== undefined) return render(object['Fn::Sub']);
    if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).map(render).join('.')}>`;
    if (object.Ref !== undefined) return `<${render(object.Ref)}>`;
    return JSON.stringify(node);
  };
  return render(Stack.of(scope).resolve(value));
}

/**
 * A statement's wildcard resources (an ARN with `*`), acknowledged on the grantee's default policy
 * with the reason the grant gives. Grantees without one (imported roles) have nothing to acknowledge.
 */
export function acknowledgeWildcardResources(grantee: iam.IGrantable, resources: readonly string[], reason: string): void {
  const policy = (grantee.grantPrincipal as unknown as Partial<IConstruct>).node?.tryFindChild('DefaultPolicy');
  if (!policy) return;
  for (const resource of resources.filter((r) => r !== '*' && nagResource(policy, r).includes('*'))) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResource(policy, resource)}]`, reason });
  }
}

/**
 * A hook looks its own execution up by name after a StartExecution error (`DescribeExecution` on
 * `…:execution:<state machine>:*`: execution names are per deployment and hook, not known at synth).
 */
export function acknowledgeHookExecutionLookup(hook: iam.IGrantable, executionsArn: string): void {
  acknowledgeWildcardResources(hook, [executionsArn], "The hook looks up its own evaluation's execution by name (DescribeExecution, metadata only), on this state machine's executions only");
}
