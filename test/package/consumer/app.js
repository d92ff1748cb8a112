// A CDK app as a consumer writes it in plain JavaScript, run with `node app.js <outdir>` by
// scripts/test-package.sh with only `node` on PATH: no TypeScript loader, no esbuild, no Docker.
// It synthesizes (1) a stack owning an evaluator and registering a Lambda deployment group with an
// inline policy, and (2) in a separate app, service stacks registering against a shared evaluator
// they do not own. It checks every Lambda of the evaluator deploys a pre-bundled asset, then prints
// one JSON line of figures.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { App, Duration, Stack } = require('aws-cdk-lib');
const codedeploy = require('aws-cdk-lib/aws-codedeploy');
const lambda = require('aws-cdk-lib/aws-lambda');
const { CanaryEvaluator } = require('canary-evaluator');

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node app.js <outdir>');
const env = { account: '123456789012', region: 'us-east-1' };

function service(stack, name) {
  const fn = new lambda.Function(stack, name, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    timeout: Duration.seconds(10),
  });
  const alias = new lambda.Alias(stack, `${name}Live`, { aliasName: 'live', version: fn.currentVersion });
  const group = new codedeploy.LambdaDeploymentGroup(stack, `${name}Deployment`, {
    alias,
    deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  });
  return { alias, group };
}

const inlinePolicy = { metrics: [{ preset: 'lambda-error-rate' }, { preset: 'lambda-slow-requests', thresholdMs: 800 }] };

/**
 * Checks every nodejs24.x function of the stack deploys a staged asset directory holding `index.js`
 * only (the pre-bundled handler), found through the stack's asset manifest (`<stack>.assets.json`).
 */
function checkEvaluatorAssets(assembly, stackName) {
  const artifact = assembly.getStackByName(stackName);
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${artifact.id}.assets.json`), 'utf8'));
  const functions = Object.entries(artifact.template.Resources).filter(
    ([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime === 'nodejs24.x' && resource.Properties.Code.S3Key,
  );
  const bundles = new Set();
  for (const [id, resource] of functions) {
    const hash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
    const asset = manifest.files[hash];
    if (!asset || asset.source.packaging !== 'zip') throw new Error(`${stackName}/${id}: code ${resource.Properties.Code.S3Key} is not a directory asset of the manifest`);
    const dir = join(assembly.directory, asset.source.path);
    const files = existsSync(dir) ? readdirSync(dir) : [];
    if (files.join() !== 'index.js') throw new Error(`${stackName}/${id}: asset ${dir} holds [${files.join(', ')}], expected [index.js]`);
    bundles.add(hash);
  }
  return { functions: functions.length, bundles: bundles.size };
}

const figures = {};
let started = Date.now();
const app = new App({ outdir: join(outdir, 'owner') });
const owner = new Stack(app, 'Orders', { env });
const evaluator = new CanaryEvaluator(owner, 'CanaryEvaluator');
const orders = service(owner, 'Orders');
const registered = evaluator.registerLambdaDeploymentGroup(orders.group, { policy: inlinePolicy, alias: orders.alias });
if (!registered.preHook || !registered.postHook || registered.policy.metrics.length !== 2) {
  throw new Error(`registerLambdaDeploymentGroup returned ${JSON.stringify(Object.keys(registered))}; expected both hooks and the 2-metric policy`);
}
const ownerAssembly = app.synth();
figures.ownerSynthMs = Date.now() - started;
figures.owner = checkEvaluatorAssets(ownerAssembly, 'Orders');
if (figures.owner.functions < 7) throw new Error(`Orders: ${figures.owner.functions} evaluator functions with assets; expected the 5 workflow functions and 2 hooks`);

{
  started = Date.now();
  const servicesApp = new App({ outdir: join(outdir, 'services') });
  const byAttributes = new Stack(servicesApp, 'Payments', { env });
  const payments = service(byAttributes, 'Payments');
  CanaryEvaluator.fromEvaluatorAttributes(byAttributes, 'SharedEvaluator', {
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:canary-evaluator',
    hookDeadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:canary-evaluator-hook-dlq',
    registrationTag: 'canary-evaluator',
  }).registerLambdaDeploymentGroup(payments.group, { policy: inlinePolicy, alias: payments.alias });
  const byName = new Stack(servicesApp, 'Search', { env });
  const search = service(byName, 'Search');
  CanaryEvaluator.fromEvaluatorName(byName, 'SharedEvaluator').registerLambdaDeploymentGroup(search.group, { policy: inlinePolicy, alias: search.alias });
  const servicesAssembly = servicesApp.synth();
  figures.sharedSynthMs = Date.now() - started;
  figures.shared = { Payments: checkEvaluatorAssets(servicesAssembly, 'Payments'), Search: checkEvaluatorAssets(servicesAssembly, 'Search') };
  for (const [name, found] of Object.entries(figures.shared)) {
    const template = servicesAssembly.getStackByName(name).template;
    const stateMachines = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
    if (stateMachines.length !== 0) throw new Error(`${name} registers against a shared evaluator but holds ${stateMachines.length} state machine(s)`);
    if (found.functions < 2) throw new Error(`${name}: ${found.functions} hook functions with assets; expected 2`);
  }
}
console.log(JSON.stringify(figures));
