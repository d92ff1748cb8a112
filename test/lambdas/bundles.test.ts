import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const LAMBDAS = join(__dirname, '..', '..', 'lambdas');
const handlers = readdirSync(LAMBDAS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * The Lambdas read policies the construct validated at synth time; the schema library (zod, ~440 KB
 * minified) must not be bundled into them. A value import of `lib/policy` from the evaluation path
 * would pull it in (the workflow benchmark measures the resulting sizes).
 */
describe('Lambda bundles', () => {
  test.each(handlers)('%s bundles without zod or the price catalog', async (handler) => {
    const result = await build({
      entryPoints: [join(LAMBDAS, handler, 'index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes(`lambdas/${handler}/index.ts`))).toBe(true);
    expect(inputs.filter((input) => input.includes('node_modules/zod'))).toEqual([]);
    // Prices are resolved into the policy at validation time; the ~480 KB catalog stays out.
    expect(inputs.filter((input) => input.includes('genai-prices'))).toEqual([]);
  });
});
