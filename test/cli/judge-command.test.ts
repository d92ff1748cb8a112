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
  test('prints the verdict in the words of every other view: rates first, the statistics on a details line', async () => {
    const { code, stdout, stderr } = await run('--policy', fixture('policy.yaml'), '--observations', fixture('observations.yaml'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      'Verdict: fail — errors regressed (chance of failing a good release ≤ 1%)',
      '  ✗ errors 3.5 % on the new version vs 1.0 % on the current one (×3.4): regression shown',
      // A fail shows its harm test's interval (issue 22 item 6): one-sided, above ×1 (×1.013 here: harm is
      // shown after 5 periods, so the interval is the one of those 5).
      '      details: 68 of 1,950 requests on the new version vs 180 of 17,700 on the current one; 99.5 % interval: at least ×1.0; evidence 103,400,000,000 against "no regression", 400 needed; sequential, α 0.005',
    ]);
    // The old notation is gone from this view as from the others.
    expect(stdout).not.toMatch(/E≥|pass-E|\[1\.14, 9\.15\]/);
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
    ['a missing observations file', fixture('policy.yaml'), fixture('nope.json'), /nope\.json: not found/],
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
