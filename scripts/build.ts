/**
 * `npm run build`: the publishable `dist/` — compiled JavaScript with declarations and source maps
 * (`tsconfig.build.json`), the pre-bundled Lambda handlers (`dist/assets/<handler>/index.js`) and the
 * data files the compiled code reads beside itself (the demo policies, the simulation's scenarios).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleHandlers, ROOT } from './build-assets';

const DIST = join(ROOT, 'dist');

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  // `lib/demo/demo-stack.ts` reads its policies from `__dirname`; `lib/simulate/scenario.ts` reads `../../scenarios`.
  for (const file of readdirSync(join(ROOT, 'lib', 'demo')).filter((name) => name.endsWith('.yaml'))) {
    cpSync(join(ROOT, 'lib', 'demo', file), join(DIST, 'lib', 'demo', file));
  }
  cpSync(join(ROOT, 'scenarios'), join(DIST, 'scenarios'), { recursive: true });
  chmodSync(join(DIST, 'bin', 'canary-eval.js'), 0o755);
  const bundles = await bundleHandlers();
  const sizes = bundles.map((bundle) => `${bundle.handler} ${(bundle.bytes / 1024).toFixed(1)} KB`).join(', ');
  console.log(`built dist/ in ${Date.now() - started} ms; handler bundles: ${sizes}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
