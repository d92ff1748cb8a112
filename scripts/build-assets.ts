/**
 * Pre-bundles every Lambda handler (`lambdas/<name>/index.ts`) into `dist/assets/<name>/index.js`, the
 * directories `EvaluatorFunction` deploys with `lambda.Code.fromAsset`. Bundling here, at build time,
 * means a consumer's `cdk synth` needs neither esbuild nor Docker, and this repository's synth, tests
 * and simulation use the very files the package ships.
 *
 * Run: `npm run build:assets` (also run by `npm run build`, `pretest`, `prestart`, `presynth`).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

export const ROOT = join(__dirname, '..');
export const LAMBDAS_DIR = join(ROOT, 'lambdas');
export const ASSETS_DIR = join(ROOT, 'dist', 'assets');

/** Every folder under `lambdas/` holding an `index.ts`: one Lambda handler each. */
export function handlerNames(): string[] {
  return readdirSync(LAMBDAS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(LAMBDAS_DIR, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

export interface HandlerBundle {
  readonly handler: string;
  /** Absolute path of the bundle, `<outDir>/<handler>/index.js`. */
  readonly file: string;
  readonly bytes: number;
  /** Source files in the bundle, relative to the repository root (`node_modules/zod/…` among them if it leaked in). */
  readonly inputs: readonly string[];
}

/**
 * How every handler is bundled, the way `NodejsFunction` did: minified CJS for the nodejs24.x runtime,
 * `@aws-sdk/*` external (the runtime provides AWS SDK v3). The judge benchmark times code bundled
 * the same way, since that is what runs in Lambda.
 */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: false,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  external: ['@aws-sdk/*'],
} as const satisfies BuildOptions;

/** Bundles the handlers with LAMBDA_BUNDLE_OPTIONS, in one esbuild run. */
export async function bundleHandlers(outDir: string = ASSETS_DIR): Promise<HandlerBundle[]> {
  const handlers = handlerNames();
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: Object.fromEntries(handlers.map((handler) => [join(handler, 'index'), join(LAMBDAS_DIR, handler, 'index.ts')])),
    outdir: outDir,
    ...LAMBDA_BUNDLE_OPTIONS,
    external: [...LAMBDA_BUNDLE_OPTIONS.external],
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  return handlers.map((handler) => {
    const file = join(outDir, handler, 'index.js');
    const output = result.metafile.outputs[relative(ROOT, file)];
    if (!output) throw new Error(`esbuild produced no ${relative(ROOT, file)} for lambdas/${handler}/index.ts`);
    return { handler, file, bytes: output.bytes, inputs: Object.keys(output.inputs) };
  });
}

if (require.main === module) {
  const started = Date.now();
  bundleHandlers()
    .then((bundles) => {
      const sizes = bundles.map((bundle) => `${bundle.handler} ${(bundle.bytes / 1024).toFixed(1)} KB`).join(', ');
      console.log(`bundled ${bundles.length} handlers into ${relative(ROOT, ASSETS_DIR)}/ in ${Date.now() - started} ms: ${sizes}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
