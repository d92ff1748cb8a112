// Synthesizes the README's examples (examples/*.ts, copied beside this file by scripts/test-package.sh)
// as compiled JavaScript against the packed package. tsconfig.examples.json: strict and
// noUncheckedIndexedAccess; not exactOptionalPropertyTypes, under which aws-cdk-lib's own types reject
// `new lambda.Alias(…, { version: fn.currentVersion })`.
import { App } from 'aws-cdk-lib';
import { PlatformTeamStack } from './examples/platform-team-stack';

const app = new App({ outdir: process.argv[2] ?? 'cdk.out.examples' });
const stack = new PlatformTeamStack(app, 'Platform', { env: { account: '123456789012', region: 'us-east-1' } });
const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };
const types = Object.values(template.Resources).map((resource) => resource.Type);
if (types.filter((type) => type === 'AWS::StepFunctions::StateMachine').length !== 1 || !types.includes('AWS::CodeDeploy::DeploymentGroup')) {
  throw new Error(`platform-team example: unexpected resources ${types.join(', ')}`);
}
console.log(JSON.stringify({ platformExample: 'synthesized', resources: types.length }));
