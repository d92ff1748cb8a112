/**
 * `npm run integ`: deploys each integration test app (`test/integ/integ.*.ts`, written with
 * `@aws-cdk/integ-tests-alpha`) to the account of your credentials, checks its assertions, and destroys it.
 * `npm run integ -- --dry-run` stops after the offline part, and `npm test` runs that part on the same
 * assembly (test/integ/rollback-app.test.ts), so the runner cannot rot unnoticed.
 *
 * Why not `@aws-cdk/integ-runner`: its newest release (2.197.10) bundles a toolkit that reads cloud
 * assembly schema 53, and aws-cdk-lib 2.276 writes 55 (`AssemblyVersionMismatch`). This runner drives the
 * `aws-cdk` CLI of devDependencies instead, the CLI `npm run synth` uses, which must read what aws-cdk-lib writes.
 *
 * Per app:
 *  1. synthesize it with the CLI (`cdk synth`: the CLI loads the assembly, schema version included);
 *  2. read the integ manifest (`integ.json`: test cases, their stacks, assertion stack and Regions) and
 *     check each stack is in the assembly (`cdk ls`); `--dry-run` stops here;
 *  3. per test case and Region: `cdk deploy` its stacks and assertion stack, fail on any assertion result
 *     other than success (the assertion stack's `AssertionResults…` outputs), and `cdk destroy` them, always.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cloud_assembly_schema as schema } from 'aws-cdk-lib';

const ROOT = join(__dirname, '..');
const INTEG_DIR = join(ROOT, 'test', 'integ');
/** The Region when a test case names none (integ-runner's default list starts with it too). */
const DEFAULT_REGION = 'us-east-1';

export interface IntegCase {
  readonly name: string;
  readonly stacks: readonly string[];
  readonly assertionStack: string;
  readonly regions: readonly string[];
}

/**
 * Runs the `aws-cdk` CLI of devDependencies; no notices or version check (they call the network).
 * `stream`: its output goes to the terminal as it comes (deploy and destroy take minutes), not captured.
 */
export function cdk(args: readonly string[], env: NodeJS.ProcessEnv = {}, stream = false): { status: number; output: string } {
  const result = spawnSync(process.execPath, [require.resolve('aws-cdk/bin/cdk'), ...args, '--no-notices', '--no-color'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
    stdio: stream ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

type Cdk = typeof cdk;

function cdkOrThrow(what: string, args: readonly string[], env?: NodeJS.ProcessEnv, stream = false, run: Cdk = cdk): string {
  const { status, output } = run(args, env, stream);
  if (status !== 0) throw new Error(`${what} failed (cdk ${args.join(' ')} exited ${status})${output ? `:\n${output}` : ''}`);
  return output;
}

/**
 * The offline check of a synthesized integration test assembly: the CLI reads it (`cdk ls`), and every
 * test case of its integ manifest names stacks that are in it. Returns the test cases.
 */
export function verifyAssembly(assemblyDir: string): IntegCase[] {
  const manifestFile = join(assemblyDir, 'integ.json');
  if (!existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: the app must define an IntegTest (@aws-cdk/integ-tests-alpha)`);
  const listed = new Set(cdkOrThrow('reading the assembly', ['ls', '--app', assemblyDir]).split('\n').map((line) => line.trim()).filter(Boolean));
  const cases = Object.entries(schema.Manifest.loadIntegManifest(manifestFile).testCases).map(([name, testCase]) => ({
    name,
    stacks: testCase.stacks,
    assertionStack: testCase.assertionStack ?? '',
    regions: testCase.regions?.length ? testCase.regions : [DEFAULT_REGION],
  }));
  if (cases.length === 0) throw new Error(`${manifestFile} has no test cases`);
  for (const testCase of cases) {
    const missing = [...testCase.stacks, testCase.assertionStack].filter((stack) => !listed.has(stack));
    if (missing.length > 0) throw new Error(`test case ${testCase.name}: stacks ${missing.join(', ')} are not in the assembly (it has ${[...listed].join(', ')})`);
  }
  return cases;
}

/** The assertion results of a deployed assertion stack that are not `success`, from `cdk deploy --outputs-file`. */
export function failedAssertions(outputs: Record<string, Record<string, string>>): string[] {
  return Object.values(outputs).flatMap((stackOutputs) =>
    Object.entries(stackOutputs)
      .filter(([name]) => name.startsWith('AssertionResults'))
      .filter(([, result]) => (JSON.parse(result) as { status?: string }).status !== 'success')
      .map(([name, result]) => `${name}: ${result}`),
  );
}

/** Deploys a test case's stacks in `region`, checks its assertion results, and destroys the stacks, always. */
export function runCase(assemblyDir: string, testCase: IntegCase, region: string, run: Cdk = cdk): void {
  const stacks = [...testCase.stacks, testCase.assertionStack];
  const env = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  const outputsFile = join(assemblyDir, `outputs-${testCase.name.replace(/\W+/g, '-')}-${region}.json`);
  console.log(`integ: ${testCase.name} in ${region}: deploying ${stacks.join(', ')}`);
  let failure: unknown;
  try {
    cdkOrThrow('deploy', ['deploy', '--app', assemblyDir, ...stacks, '--require-approval', 'never', '--outputs-file', outputsFile], env, true, run);
    const failed = failedAssertions(JSON.parse(readFileSync(outputsFile, 'utf8')));
    if (failed.length > 0) throw new Error(`test case ${testCase.name} in ${region}: ${failed.length} assertion(s) failed:\n${failed.join('\n')}`);
    console.log(`integ: ${testCase.name} in ${region}: every assertion succeeded`);
  } catch (error) {
    failure = error;
  }
  // Destroyed whatever happened; a failed destroy is reported with the test's own failure, not instead of it.
  console.log(`integ: ${testCase.name} in ${region}: destroying`);
  const destroyed = run(['destroy', '--app', assemblyDir, ...stacks, '--force'], env, true);
  if (destroyed.status !== 0) {
    const message = `destroying ${stacks.join(', ')} in ${region} failed (exit ${destroyed.status}): delete them by hand`;
    throw new Error(failure instanceof Error ? `${failure.message}\n${message}` : message);
  }
  if (failure) throw failure;
}

function main(): void {
  const dryRun = process.argv.includes('--dry-run');
  const apps = readdirSync(INTEG_DIR).filter((file) => /^integ\..+\.ts$/.test(file));
  if (apps.length === 0) throw new Error(`no integ.*.ts app in ${relative(ROOT, INTEG_DIR)}`);
  for (const file of apps) {
    const assemblyDir = mkdtempSync(join(tmpdir(), 'canary-evaluator-integ-'));
    const app = `${process.execPath} ${require.resolve('tsx/cli')} ${join(INTEG_DIR, file)}`;
    cdkOrThrow(`synthesizing ${file}`, ['synth', '--app', app, '--output', assemblyDir, '--quiet']);
    const cases = verifyAssembly(assemblyDir);
    console.log(`integ: ${file}: ${cases.map((c) => `${c.name} (${[...c.stacks, c.assertionStack].join(', ')}; ${c.regions.join(', ')})`).join('; ')}`);
    if (dryRun) continue;
    for (const testCase of cases) for (const region of testCase.regions) runCase(assemblyDir, testCase, region);
  }
  console.log(dryRun ? `integ: dry run passed (${apps.length} app(s) synthesized and read by the CLI; nothing deployed)` : 'integ: passed');
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
