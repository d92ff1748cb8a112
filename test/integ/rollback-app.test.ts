import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { failedAssertions, runCase, verifyAssembly } from '../../scripts/integ';
import { checkTemplate } from '../constructs/support/resource-spec';
import { APPSPEC_VERSION, FAILURE_SWITCH, RELEASE_VARIABLE, rollbackIntegApp } from './rollback-app';

/**
 * `npm run integ` deploys this app to a real account; here it is synthesized offline and checked as far
 * as it can be without AWS: the runner's offline part on the assembly (the CLI reads it), the templates
 * against the CloudFormation specification, every API call's parameters as the assertion provider will
 * decode them, the order of the steps, and that the stacks can be destroyed.
 */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const { stack, registered } = rollbackIntegApp(app);
const assembly = app.synth();
const testStack = Template.fromStack(stack);
const assertionArtifact = assembly.stacks.find((s) => s.stackName !== stack.stackName)!;

type Json = unknown;
type SdkCall = { Type: string; Properties: Record<string, Json>; DependsOn?: string[] };
const apiCalls = Object.entries((assertionArtifact.template as { Resources: Record<string, SdkCall> }).Resources).filter(([, r]) => r.Type.startsWith('Custom::DeployAssert@SdkCall'));
const calls = apiCalls.map(([id, r]) => ({ id, api: `${String(r.Properties.service)}.${String(r.Properties.api)}`, properties: r.Properties, dependsOn: r.DependsOn ?? [] }));
const callsTo = (api: string) => calls.filter((c) => c.api === api);

/**
 * A CloudFormation value as the deployed string it becomes, each intrinsic standing in as `<…>` (names
 * and version numbers hold no character JSON escapes, and neither do these stand-ins).
 */
function rendered(value: Json, where: string): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, Json>;
  const [key] = Object.keys(object ?? {});
  if (key === 'Fn::Join') {
    const [separator, parts] = object[key] as [string, Json[]];
    return parts.map((part, index) => rendered(part, `${where}[${index}]`)).join(separator);
  }
  if (key === 'Ref') return `<${String(object[key])}>`;
  if (key === 'Fn::GetAtt') return `<${(object[key] as string[]).join('.')}>`;
  if (key === 'Fn::ImportValue') return `<import ${rendered(object[key], where)}>`;
  throw new Error(`${where}: cannot render ${JSON.stringify(value)}`);
}
/** The assertion provider JSON-decodes each parameter (and the expected result) of a call. */
const decoded = (call: (typeof calls)[number], name: string): Json => JSON.parse(rendered(call.properties[name], `${call.id}.${name}`));
const parameter = (call: (typeof calls)[number], name: string) => decoded({ ...call, properties: call.properties.parameters as Record<string, Json> }, name);

interface AppSpec {
  version: Json;
  Resources: Array<Record<string, { Type: string; Properties: Record<string, string> }>>;
  Hooks: Array<Record<string, string>>;
}
const appSpecOf = (call: (typeof calls)[number]): AppSpec => {
  const revision = parameter(call, 'revision') as { revisionType: string; appSpecContent: { content: string } };
  expect(revision.revisionType).toBe('AppSpecContent');
  return JSON.parse(revision.appSpecContent.content) as AppSpec;
};
const [healthyDeploy, failingDeploy] = callsTo('CodeDeploy.createDeployment');

describe('integration test app (synthesized, not deployed)', () => {
  test('the runner’s offline part reads the assembly with the aws-cdk CLI and finds the one test case in us-east-1', () => {
    expect(verifyAssembly(assembly.directory)).toEqual([
      { name: 'CanaryEvaluatorRollback/DefaultTest', stacks: [stack.stackName], assertionStack: assertionArtifact.hierarchicalId, regions: ['us-east-1'] },
    ]);
  });

  test('…and fails on an assembly the CLI cannot read (a newer cloud assembly schema, as aws-cdk-lib upgrades write)', () => {
    const newer = mkdtempSync(join(tmpdir(), 'integ-newer-schema-'));
    cpSync(assembly.directory, newer, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(newer, 'manifest.json'), 'utf8'));
    writeFileSync(join(newer, 'manifest.json'), JSON.stringify({ ...manifest, version: '99.0.0' }));
    expect(() => verifyAssembly(newer)).toThrow(/reading the assembly failed[\s\S]*schema version/);
    rmSync(newer, { recursive: true, force: true });
  });

  test('the runner fails a deployment whose assertion stack reports a failed assertion', () => {
    const outputs = { Assert: { AssertionResultsA: '{"status":"success"}', AssertionResultsB: '{"status":"fail","message":"Expected Succeeded"}', Other: 'x' } };
    expect(failedAssertions(outputs)).toEqual(['AssertionResultsB: {"status":"fail","message":"Expected Succeeded"}']);
    expect(failedAssertions({ Assert: { AssertionResultsA: '{"status":"success"}' } })).toEqual([]);
  });

  describe('the runner’s deploy path, with a stand-in for the CLI', () => {
    const testCase = { name: 'Case/DefaultTest', stacks: ['TestStack'], assertionStack: 'Case/DefaultTest/DeployAssert', regions: ['us-east-1'] };
    const standIn = (deploy: { status: number; outputs?: Record<string, Record<string, string>> }, destroyStatus = 0) => {
      const commands: string[] = [];
      const run = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
        commands.push(`${args[0]} ${args.filter((a) => a.includes('Stack') || a.includes('DeployAssert')).join(' ')} in ${env.AWS_REGION}`);
        if (args[0] === 'deploy' && deploy.outputs) writeFileSync(args[args.indexOf('--outputs-file') + 1], JSON.stringify(deploy.outputs));
        return { status: args[0] === 'deploy' ? deploy.status : destroyStatus, output: '' };
      };
      return { commands, run };
    };
    const dir = mkdtempSync(join(tmpdir(), 'integ-run-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('deploys the test case’s stacks and its assertion stack in its Region, then destroys them', () => {
      const { commands, run } = standIn({ status: 0, outputs: { Assert: { AssertionResultsA: '{"status":"success"}' } } });
      expect(() => runCase(dir, testCase, 'us-east-1', run)).not.toThrow();
      expect(commands).toEqual(['deploy TestStack Case/DefaultTest/DeployAssert in us-east-1', 'destroy TestStack Case/DefaultTest/DeployAssert in us-east-1']);
    });

    test('a failed assertion fails the run, and the stacks are destroyed still', () => {
      const { commands, run } = standIn({ status: 0, outputs: { Assert: { AssertionResultsA: '{"status":"fail","message":"Expected Succeeded"}' } } });
      expect(() => runCase(dir, testCase, 'us-east-1', run)).toThrow(/1 assertion\(s\) failed:\nAssertionResultsA: .*Expected Succeeded/);
      expect(commands.map((c) => c.split(' ')[0])).toEqual(['deploy', 'destroy']);
    });

    test('a failed deploy is destroyed too, and a failed destroy is reported beside the deploy’s failure', () => {
      const { commands, run } = standIn({ status: 1 }, 1);
      expect(() => runCase(dir, testCase, 'us-east-1', run)).toThrow(/deploy failed .*exited 1\)\ndestroying TestStack, Case\/DefaultTest\/DeployAssert in us-east-1 failed \(exit 1\): delete them by hand/);
      expect(commands.map((c) => c.split(' ')[0])).toEqual(['deploy', 'destroy']);
    });
  });

  test('both stacks pass the CloudFormation resource specification check', () => {
    for (const artifact of [assembly.getStackByName(stack.stackName), assertionArtifact]) {
      expect(checkTemplate(artifact.template).map((f) => `${artifact.stackName} ${f.where}: ${f.problem}: ${f.detail}`)).toEqual([]);
    }
  });

  test('deploys a protected function whose deployment group the evaluator guards', () => {
    testStack.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { [FAILURE_SWITCH]: 'false', [RELEASE_VARIABLE]: '1' } } });
    testStack.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
    testStack.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AutoRollbackConfiguration: Match.objectLike({ Enabled: true, Events: Match.arrayWith(['DEPLOYMENT_FAILURE']) }) });
    testStack.hasResourceProperties('AWS::StepFunctions::StateMachine', {});
    expect(registered.policy.smokeTests.map((t) => t.phase)).toEqual(['pre-traffic']);
  });

  test('every API call’s parameters and expected result decode as JSON once deployed', () => {
    expect(calls.length).toBe(13);
    for (const call of calls) {
      for (const name of Object.keys(call.properties.parameters as object)) expect(() => parameter(call, name)).not.toThrow();
      if (call.properties.expected !== undefined) expect(() => decoded(call, 'expected')).not.toThrow();
    }
  });

  test('the AppSpec of each deployment is valid: version "0.0", the alias moved between two versions, the evaluator’s hooks', () => {
    for (const deploy of [healthyDeploy, failingDeploy]) {
      const appSpec = appSpecOf(deploy);
      expect(appSpec.version).toBe(APPSPEC_VERSION);
      expect(appSpec.version).toBe('0.0');
      const [resource] = Object.values(appSpec.Resources[0]);
      expect(resource.Type).toBe('AWS::Lambda::Function');
      expect(Object.keys(resource.Properties).sort()).toEqual(['Alias', 'CurrentVersion', 'Name', 'TargetVersion']);
      expect(resource.Properties.Alias).toBe('live');
      expect(resource.Properties.CurrentVersion).not.toBe(resource.Properties.TargetVersion);
      expect(appSpec.Hooks.map((hook) => Object.keys(hook)[0])).toEqual(['BeforeAllowTraffic', 'AfterAllowTraffic']);
      expect(appSpec.Hooks.every((hook) => /^<import .+>$/.test(Object.values(hook)[0]))).toBe(true);
    }
  });

  test('a healthy release succeeds first, so the failing one has a last known good version to roll back to', () => {
    const [healthyStatus, failingStatus] = callsTo('CodeDeploy.getDeployment');
    expect(parameter(healthyStatus, 'deploymentId')).toBe(`<${healthyDeploy.id}.apiCallResponse.deploymentId>`);
    expect(decoded(healthyStatus, 'expected')).toEqual({ $ObjectLike: { deploymentInfo: { status: 'Succeeded' } } });
    expect(parameter(failingStatus, 'deploymentId')).toBe(`<${failingDeploy.id}.apiCallResponse.deploymentId>`);
    expect(decoded(failingStatus, 'expected')).toEqual({ $ObjectLike: { deploymentInfo: { status: 'Failed', rollbackInfo: { rollbackDeploymentId: { $StringLike: '^d-' } } } } });

    const [healthyPublish, failingPublish] = callsTo('Lambda.publishVersion');
    const [healthy, failing] = [appSpecOf(healthyDeploy), appSpecOf(failingDeploy)].map((spec) => Object.values(spec.Resources[0])[0].Properties);
    expect(healthy.TargetVersion).toBe(`<${healthyPublish.id}.apiCallResponse.Version>`);
    expect(failing.CurrentVersion).toBe(healthy.TargetVersion);
    expect(failing.TargetVersion).toBe(`<${failingPublish.id}.apiCallResponse.Version>`);

    // Each release changes the function, or PublishVersion would return the version already published.
    const environments = callsTo('Lambda.updateFunctionConfiguration').map((call) => parameter(call, 'Environment'));
    expect(environments).toEqual([{ Variables: { [FAILURE_SWITCH]: 'false', [RELEASE_VARIABLE]: '2' } }, { Variables: { [FAILURE_SWITCH]: 'true', [RELEASE_VARIABLE]: '3' } }]);
  });

  test('asserts the hook report and the verdict metric of the failing deployment', () => {
    const [hookReport] = callsTo('CodeDeploy.getDeploymentTarget');
    expect(parameter(hookReport, 'deploymentId')).toBe(`<${failingDeploy.id}.apiCallResponse.deploymentId>`);
    expect(JSON.stringify(decoded(hookReport, 'expected'))).toContain('"lifecycleEventName":"BeforeAllowTraffic","status":"Failed"');
    const [metric] = callsTo('CloudWatch.listMetrics');
    expect(parameter(metric, 'Namespace')).toBe('CanaryEvaluator');
    expect(parameter(metric, 'MetricName')).toBe('Rollbacks');
  });

  test('runs the steps in order (each depends on the one before)', () => {
    const release = ['Lambda.updateFunctionConfiguration', 'Lambda.getFunctionConfiguration', 'Lambda.publishVersion', 'CodeDeploy.createDeployment', 'CodeDeploy.getDeployment'];
    const order = [...release.map((api) => callsTo(api)[0]), ...release.map((api) => callsTo(api)[1]), ...['CodeDeploy.listDeploymentTargets', 'CodeDeploy.getDeploymentTarget', 'CloudWatch.listMetrics'].map((api) => callsTo(api)[0])];
    expect(order.every(Boolean)).toBe(true);
    order.slice(1).forEach((step, index) => expect({ step: step.id, after: order[index].id, ok: step.dependsOn.some((d) => d.startsWith(order[index].id)) }).toMatchObject({ ok: true }));
  });

  test('can be destroyed: every bucket deleted with the stack is emptied first (autoDeleteObjects)', () => {
    const resources = testStack.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, Json> }>;
    const deletedBuckets = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::S3::Bucket' && resources[id].DeletionPolicy === 'Delete');
    expect(deletedBuckets.length).toBeGreaterThanOrEqual(1);
    const emptied = Object.values(resources).filter((r) => r.Type === 'Custom::S3AutoDeleteObjects').map((r) => JSON.stringify(r.Properties?.BucketName));
    for (const bucket of deletedBuckets) expect(emptied).toContain(JSON.stringify({ Ref: bucket }));
  });
});
