import { App } from 'aws-cdk-lib';
import { DemoStack } from '../demo/demo-stack';

type CfnValue = string | { Ref: string } | { 'Fn::GetAtt': [string, string] } | { 'Fn::Join': [string, CfnValue[]] };

/** Resolves the intrinsic functions CDK uses in `DefinitionString` into placeholder ARNs. */
function resolve(value: CfnValue): string {
  if (typeof value === 'string') return value;
  if ('Ref' in value) return `arn:aws:lambda:us-east-1:123456789012:function:${value.Ref}`;
  if ('Fn::GetAtt' in value) return `arn:aws:lambda:us-east-1:123456789012:function:${value['Fn::GetAtt'][0]}`;
  if ('Fn::Join' in value) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

/** The state machine definition (ASL) of a synthesized template, as plain JSON. */
export function definitionFromTemplate(template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }): Record<string, unknown> {
  const machines = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  return JSON.parse(resolve(machines[0].Properties!.DefinitionString as CfnValue));
}

let cached: Record<string, unknown> | undefined;

/**
 * Synthesizes the demo stack (assets not bundled) and returns its evaluation state machine definition:
 * the local simulation runs exactly what `cdk deploy` would deploy.
 */
export function synthesizeEvaluationDefinition(): Record<string, unknown> {
  if (cached) return structuredClone(cached);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new DemoStack(app, 'CanaryEvaluatorDemo', { env: { account: '123456789012', region: 'us-east-1' } });
  const template = app.synth().getStackByName(stack.stackName).template;
  cached = definitionFromTemplate(template);
  return structuredClone(cached);
}
