import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers a newcomer can see (docs/architecture.md): each folder of lib/ imports only folders of a
 * lower layer, lib/ never imports lambdas/, and no module imports itself through others.
 */
const ROOT = resolve(__dirname, '..', '..');
const LAYERS: Record<string, number> = {
  policy: 0,
  judge: 1,
  evaluation: 2,
  adapters: 3,
  constructs: 3,
  report: 4,
  demo: 4,
  simulate: 5,
  bench: 6,
  cli: 7,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, dynamic, `require`, type-only included), resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)'(\.[^']*)'/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    const base = resolve(dirname(file), specifier);
    const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
    const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    if (!found) throw new Error(`${relative(ROOT, file)} imports ${specifier}, which does not resolve to a file`);
    return found;
  });
}

const folderOf = (file: string) => relative(join(ROOT, 'lib'), file).split('/')[0]!;
const libFiles = sourceFiles(join(ROOT, 'lib')).filter((file) => relative(join(ROOT, 'lib'), file).includes('/'));
const graph = new Map(sourceFiles(join(ROOT, 'lib')).map((file) => [file, importsOf(file)]));

test('every folder of lib/ has a layer', () => {
  const folders = [...new Set(libFiles.map(folderOf))];
  expect(folders.filter((folder) => !(folder in LAYERS))).toEqual([]);
});

function upwardImports(files: readonly string[], imports: ReadonlyMap<string, readonly string[]>): string[] {
  const upward: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    for (const target of imports.get(file) ?? []) {
      const rel = relative(join(ROOT, 'lib'), target);
      if (rel.startsWith('..')) {
        upward.push(`${relative(ROOT, file)} → ${relative(ROOT, target)} (outside lib/)`);
        continue;
      }
      const to = rel.includes('/') ? rel.split('/')[0]! : 'index';
      if (to === from) continue;
      if (to === 'index' || (LAYERS[to] ?? Infinity) >= (LAYERS[from] ?? -1)) upward.push(`${relative(ROOT, file)} (${from}) → ${relative(ROOT, target)} (${to})`);
    }
  }
  return upward;
}

function cyclesOf(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of imports.get(file) ?? []) {
      if (!imports.has(next)) continue;
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(ROOT, f)).join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of imports.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

test('lib/ imports downward only, and never lambdas/', () => {
  expect(upwardImports(libFiles, graph)).toEqual([]);
});

test('no import cycle in lib/', () => {
  expect(cyclesOf(graph)).toEqual([]);
});

test('the checks see an upward import, an import of lambdas/ and a cycle', () => {
  const policy = join(ROOT, 'lib/policy/schema.ts');
  const judge = join(ROOT, 'lib/judge/cost.ts');
  const handler = join(ROOT, 'lambdas/report/index.ts');
  const imports = new Map([
    [policy, [judge]],
    [judge, [policy, handler]],
  ]);
  expect(upwardImports([policy, judge], imports)).toEqual([
    'lib/policy/schema.ts (policy) → lib/judge/cost.ts (judge)',
    'lib/judge/cost.ts → lambdas/report/index.ts (outside lib/)',
  ]);
  expect(cyclesOf(imports)).toEqual(['lib/policy/schema.ts → lib/judge/cost.ts → lib/policy/schema.ts']);
});

test('each lambdas/<name>/index.ts is wiring only (at most 40 non-blank lines)', () => {
  const lambdas = join(ROOT, 'lambdas');
  const fat = readdirSync(lambdas)
    .map((name) => join(lambdas, name, 'index.ts'))
    .filter((file) => existsSync(file))
    .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).length }))
    .filter(({ lines }) => lines > 40);
  expect(fat).toEqual([]);
});

test('no file in lib/constructs is over 350 lines', () => {
  const long = sourceFiles(join(ROOT, 'lib', 'constructs'))
    .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
    .filter(({ lines }) => lines > 350);
  expect(long).toEqual([]);
});
