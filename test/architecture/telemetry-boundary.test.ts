import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** OpenTelemetry is an adapter: the pure layers take the `InvocationTracer` port, never the SDK. */
const LIB = resolve(__dirname, '..', '..', 'lib');
const PURE_FOLDERS = ['policy', 'judge', 'evaluation'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

test('no file of policy, judge or evaluation imports @opentelemetry/*', () => {
  const files = PURE_FOLDERS.flatMap((folder) => sourceFiles(join(LIB, folder)));
  expect(files.length).toBeGreaterThan(20);
  const offenders = files.filter((file) => /(?:from\s+|import\(\s*|require\(\s*)'@opentelemetry\//.test(readFileSync(file, 'utf8')));
  expect(offenders.map((file) => relative(LIB, file))).toEqual([]);
});

test('the adapter does import it (the check above looks at the right thing)', () => {
  expect(readFileSync(join(LIB, 'adapters', 'telemetry', 'tracing.ts'), 'utf8')).toMatch(/from '@opentelemetry\/api'/);
});
