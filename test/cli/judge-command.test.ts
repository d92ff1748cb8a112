import { join } from 'node:path';
import { judgeCommand } from '../../lib/cli/judge-command';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'judge', name);

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await judgeCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('canary-eval judge', () => {
  test('prints a table with one line per metric and the verdict', async () => {
    const { code, stdout, stderr } = await run('--policy', fixture('policy.yaml'), '--observations', fixture('observations.yaml'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^DECISION\s+CRITICAL\s+METHOD\s+REASON/);
    // A fail shows its harm test's interval: one-sided, above ×1.
    expect(stdout).toMatch(/FAIL\s+yes\s+sequential\s+errors ×3.43 \[1.06, ∞\) — 68\/1950 canary vs 180\/17.7k baseline; harm shown after 8 periods/);
    expect(stdout).toContain('verdict: FAIL (final)');
  });

  test('prints JSON with --json, and applies the deadline with --deadline', async () => {
    const { code, stdout } = await run('--json', '--deadline', '--policy', fixture('policy.yaml'), '--observations', fixture('observations.yaml'));
    expect(code).toBe(0);
    const verdict = JSON.parse(stdout);
    expect(verdict).toMatchObject({ decision: 'fail', final: true });
    expect(verdict.metrics.map((m: { method: string }) => m.method)).toEqual(['sequential', 'mann-whitney']);
  });

  test.each([
    [['--policy', fixture('policy.yaml')], '--observations <file> is required'],
    [['--policy'], '--policy needs a file name'],
    [['--policy', 'a', '--observations', 'b', '--verbose'], 'unknown argument "--verbose"'],
  ])('fails with exit code 2 on usage error %j', async (argv, message) => {
    const { code, stderr, stdout } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: canary-eval judge');
  });

  test.each([
    ['a missing observations file', fixture('policy.yaml'), fixture('nope.json'), /nope\.json: cannot read the file: ENOENT/],
    ['broken YAML', fixture('policy.yaml'), fixture('observations-broken.yaml'), /observations-broken\.yaml: not valid YAML or JSON/],
    ['invalid observations', fixture('policy.yaml'), fixture('observations-invalid.json'), /observations-invalid\.json is invalid:\n {2}- observations\["errors"\]\.canary\[1\]: count 12 > total 10\n {2}- observations\["p99"\]\.canary: missing arm/],
    ['an invalid policy', join(__dirname, '..', 'fixtures', 'policies', 'invalid.yaml'), fixture('observations.yaml'), /invalid\.yaml is invalid:\n {2}- metrics\[0\]\.method\.max/],
  ])('fails with exit code 1 on %s, naming file and path, no stack trace', async (_case, policy, observations, message) => {
    const { code, stderr } = await run('--policy', policy, '--observations', observations);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
