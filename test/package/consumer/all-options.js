// Synthesizes the construct tests' all-options stack (test/constructs/support/all-options-stack.ts: every
// option that changes IAM or KMS at once), transpiled by scripts/test-package.sh against the packed
// package, so that each option is synthesized at the minimum aws-cdk-lib peer, not only the defaults.
'use strict';
const { App } = require('aws-cdk-lib');
const { allOptionsStack } = require('./out/all-options-stack.js');

const app = new App({ outdir: process.argv[2] ?? 'cdk.out.all-options' });
const { stack } = allOptionsStack(app);
const resources = Object.values(app.synth().getStackByName(stack.stackName).template.Resources);
const count = (type) => resources.filter((resource) => resource.Type === type).length;
// Two state machines: the evaluation's and the extended one for ECS native bakes past the hour (ecsNativeMaxHookTimeout).
if (count('AWS::StepFunctions::StateMachine') !== 2 || count('AWS::CodeDeploy::DeploymentGroup') < 2 || count('AWS::KMS::Key') < 1) {
  throw new Error(`all-options stack: unexpected resources ${[...new Set(resources.map((resource) => resource.Type))].join(', ')}`);
}
console.log(JSON.stringify({ allOptions: 'synthesized', resources: resources.length }));
