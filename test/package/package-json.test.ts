import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../../lib';
import { EVALUATOR_RUNTIME } from '../../lib/constructs/evaluator-function';
import { isOlderThan, MINIMUM_AWS_CDK_LIB } from '../../lib/constructs/peer-version';

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const buildConfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));

/** The published shape; `npm run test:package` checks the packed tarball itself. */
describe('package.json', () => {
  test('is publishable, with the package root pointing at compiled JavaScript and declarations', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.name).toBe('canary-evaluator');
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.exports['.']).toEqual({ types: './dist/lib/index.d.ts', default: './dist/lib/index.js' });
    expect(manifest.main).toBe('dist/lib/index.js');
    expect(manifest.bin['canary-eval']).toBe('dist/bin/canary-eval.js');
    // tsconfig.build.json compiles lib/ and bin/ into dist/ with the same layout.
    expect(buildConfig.compilerOptions).toMatchObject({ rootDir: '.', outDir: 'dist', declaration: true, sourceMap: true });
    expect(buildConfig.include).toEqual(['lib', 'bin/canary-eval.ts']);
  });

  test('aws-cdk-lib and constructs are peers (one copy in the consumer app), also installed for development', () => {
    for (const name of ['aws-cdk-lib', 'constructs']) {
      expect(manifest.dependencies[name]).toBeUndefined();
      // Development runs at or above the minimum peer (`npm run test:package` tests at the minimum itself).
      const [peerMinimum, devMinimum] = [manifest.peerDependencies[name], manifest.devDependencies[name]].map((range: string) => /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1]);
      expect(peerMinimum).toBeDefined();
      expect(devMinimum).toBeDefined();
      expect(isOlderThan(devMinimum!, peerMinimum!)).toBe(false);
      expect(devMinimum!.split('.')[0]).toBe(peerMinimum!.split('.')[0]);
    }
  });

  test('the aws-cdk-lib peer is the minimum the constructs check at creation (one version, said twice)', () => {
    expect(manifest.peerDependencies['aws-cdk-lib']).toBe(`^${MINIMUM_AWS_CDK_LIB}`);
  });

  test('ships compiled code, the schema and the licence only', () => {
    expect(manifest.files).toEqual(['dist/', '!dist/**/*.tsbuildinfo', 'schema/policy.schema.json', 'LICENSE', 'README.md']);
  });

  test('runs tests on the Lambda runtime Node major, through the node devDependency', () => {
    const runtimeMajor = Number(/^nodejs(\d+)\.x$/.exec(EVALUATOR_RUNTIME.name)?.[1]);
    const engineMajor = Number(/^>=(\d+)$/.exec(manifest.engines.node)?.[1]);
    const major = Number(process.versions.node.split('.')[0]);
    console.log(`tests run on Node ${process.version}; the Lambdas on ${EVALUATOR_RUNTIME.name}; engines ${manifest.engines.node}`);
    expect(manifest.devDependencies.node).toMatch(new RegExp(`^\\^${runtimeMajor}\\.`));
    expect(major).toBeGreaterThanOrEqual(engineMajor);
    // Fails when jest is started with the machine's own node instead of `npm test`/`npx jest`.
    expect(major).toBe(runtimeMajor);
  });
});

describe('the package root', () => {
  test('exports these values (types are checked by the strict consumer of `npm run test:package`)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
[
  "BEDROCK_TOKEN_METRICS",
  "BedrockSpendGuard",
  "COVERAGE_FINDINGS",
  "CanaryEvaluator",
  "ECS_LIFECYCLE_EVENTS",
  "EvaluatorNotifications",
  "PolicyError",
  "PostDeployChecks",
  "ReportBucket",
  "checkPolicy",
  "evaluatorParameterNames",
  "judge",
  "loadPolicyFile",
  "loadValidatedPolicyFile",
  "mannWhitney",
  "parsePolicy",
  "parsePolicyText",
  "validateObservations",
  "validatePolicy",
]
`);
  });
});
