import { join } from 'node:path';
import { main } from '../../bin/canary-eval';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'policies', name);

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('canary-eval', () => {
  test('validate prints a summary and exits 0 for a valid policy', async () => {
    const { code, stdout, stderr } = await run('validate', fixture('lambda-basic.yaml'));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('valid policy');
    expect(stdout).toContain('lambda-error-rate: count, threshold, critical');
  });

  test('validate prints every path-named error and exits 1 for an invalid policy', async () => {
    const { code, stdout, stderr } = await run('validate', fixture('invalid.yaml'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('metrics[0].method.max: Invalid input: expected number, received string');
    expect(stderr).toContain('bake.duration: expected a duration');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('validate names a missing file as not found, not as an invalid policy', async () => {
    const { code, stderr } = await run('validate', fixture('nope.yaml'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/nope\.yaml: not found\n?$/);
    expect(stderr).not.toMatch(/invalid|ENOENT/);
  });

  test('validate names an unknown flag', async () => {
    const { code, stderr } = await run('validate', '--frob', fixture('nope.yaml'));
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--frob'");
    expect(stderr).toContain('usage: canary-eval validate');
  });

  test('usage errors exit 2', async () => {
    expect((await run()).code).toBe(2);
    expect(await run('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect((await run('validate')).code).toBe(2);
  });

  test('simulate prints a passing and a failing verdict', async () => {
    const { code, stdout } = await run('simulate');
    expect(code).toBe(0);
    expect(stdout).toMatch(/healthy[\s\S]*What CodeDeploy would have done: ✓ promoted/);
    expect(stdout).toMatch(/error-regression[\s\S]*What CodeDeploy would have done: ✗ stopped at minute \d+ and rolled back/);
  });
});
