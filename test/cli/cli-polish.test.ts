import { join } from 'node:path';
import { main } from '../../bin/canary-eval';
import { judgeCommand } from '../../lib/cli/judge-command';
import type { CommandIO } from '../../lib/cli/io';

async function run(argv: string[], command: (argv: readonly string[], io: CommandIO) => Promise<number> = main) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the CLI as people expect it', () => {
  test.each(['status', 'report', 'history', 'replay', 'simulate', 'judge', 'validate', 'bench'])('%s --help: usage on stdout, nothing on stderr, exit 0', async (name) => {
    const { code, stdout, stderr } = await run([name, '--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`usage: canary-eval ${name}`);
    expect(stdout).toMatch(/Exit codes:/);
  });

  test('canary-eval --help lists every command on stdout, exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const name of ['validate', 'simulate', 'judge', 'bench', 'status', 'report', 'history', 'replay']) expect(stdout).toContain(`  ${name} `);
  });

  test.each(['history', 'replay', 'report'])('%s names an unknown flag, exit 2', async (name) => {
    const { code, stderr } = await run([name, '--colour']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--colour'");
  });

  test('judge --fail-on-rollback exits 3 on a failing verdict, the verdict still on stdout', async () => {
    const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'judge', name);
    const { code, stdout, stderr } = await run(['--policy', fixture('policy.yaml'), '--observations', fixture('observations.yaml'), '--json', '--fail-on-rollback'], judgeCommand);
    expect(code).toBe(3);
    expect(JSON.parse(stdout).decision).toBe('fail');
    expect(stderr).toContain('--fail-on-rollback: the verdict is fail');
  });

  test('simulate --fail-on-rollback exits 3 when a scenario rolled back; --json keeps stdout pure JSON', async () => {
    const { code, stdout, stderr } = await run(['simulate', 'error-regression', '--json', '--fail-on-rollback']);
    expect(code).toBe(3);
    const result = JSON.parse(stdout);
    expect(result.scenarios[0].codeDeploy.action).toBe('rolled-back');
    // Smoke tests, policy and traffic are in the JSON too.
    expect(result.scenarios[0].policy.alpha).toBe(0.01);
    expect(result.scenarios[0].traffic[0]).toMatchObject({ minute: 0, canaryPercent: 10 });
    expect(stderr).toContain('--fail-on-rollback: error-regression rolled back');
    expect((await run(['simulate', 'healthy', '--json', '--fail-on-rollback'])).code).toBe(0);
  }, 120_000);
});
