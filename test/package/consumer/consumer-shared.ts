// Synthesizes the README's service-team example: a stack registering against a shared evaluator it
// does not own (`CanaryEvaluator.fromEvaluatorName`).
import { App } from 'aws-cdk-lib';
import { ServiceTeamStack } from './examples/service-team-stack';

const app = new App({ outdir: process.argv[2] ?? 'cdk.out.shared' });
const stack = new ServiceTeamStack(app, 'Service', { env: { account: '123456789012', region: 'us-east-1' } });
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };
const types = Object.values(template.Resources).map((resource) => resource.Type);
if (types.includes('AWS::StepFunctions::StateMachine') || !types.includes('AWS::CodeDeploy::DeploymentGroup')) {
  throw new Error(`service-team example: unexpected resources ${types.join(', ')}`);
}
console.log(JSON.stringify({ serviceExample: 'synthesized', resources: types.length }));
