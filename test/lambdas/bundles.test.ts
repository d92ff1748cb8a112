import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHandlers, handlerNames, type HandlerBundle } from '../../scripts/build-assets';
import { HANDLER_ASSETS_DIR } from '../../lib/constructs/evaluator-function';

/**
 * The per-handler size target of the workflow benchmark (`npm run bench:workflow`). 256 KB since
 * 2026-12-07 (was 250): the smoke bundle reached 250.1 KB with the execution input's ECS native and
 * override fields and the Lambda smoke trace context; re2js (linear-time matching of policy-supplied
 * patterns, 147 KB) is most of it and is not optional.
 */
const MAX_BUNDLE_KB = 256;

/**
 * The bundles `npm run build` ships in `dist/assets/` and `EvaluatorFunction` deploys. The Lambdas
 * read policies the construct validated at synth time; the schema library (zod, ~440 KB minified)
 * must not be bundled into them: a value import of `lib/policy` from the evaluation path would pull it in.
 */
describe('Lambda bundles', () => {
  const handlers = handlerNames();
  let outDir: string;
  let bundles: Map<string, HandlerBundle>;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'canary-evaluator-bundles-'));
    bundles = new Map((await bundleHandlers(outDir)).map((bundle) => [bundle.handler, bundle]));
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  test('one bundle per handler folder', () => {
    expect(handlers).toEqual(['ecs-hook', 'evaluate', 'hook', 'prepare', 'report', 'smoke', 'watch']);
    expect([...bundles.keys()]).toEqual(handlers);
  });

  test.each(handlers)('%s bundles without zod, under the size target', (handler) => {
    const bundle = bundles.get(handler)!;
    expect(bundle.inputs).toContain(`lambdas/${handler}/index.ts`);
    expect(bundle.inputs.filter((input) => input.includes('node_modules/zod'))).toEqual([]);
    expect(bundle.inputs.filter((input) => input.includes('node_modules/@aws-sdk/'))).toEqual([]);
    // Prices are resolved into the policy at validation time; the ~480 KB catalog stays out.
    expect(bundle.inputs.filter((input) => input.includes('genai-prices'))).toEqual([]);
    expect(bundle.bytes / 1024).toBeLessThanOrEqual(MAX_BUNDLE_KB);
  });

  test.each(handlers)('the deployed %s asset is the current bundle (else run `npm run build:assets`)', (handler) => {
    const deployed = readFileSync(join(HANDLER_ASSETS_DIR, handler, 'index.js'), 'utf8');
    expect(deployed === readFileSync(bundles.get(handler)!.file, 'utf8')).toBe(true);
  });
});
