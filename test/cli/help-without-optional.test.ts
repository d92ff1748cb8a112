import { main } from '../../bin/canary-eval';
import type { CommandIO } from '../../lib/cli/io';

// As in a consumer app that did not install the optional peer `aws-local-stepfunctions`.
jest.mock('aws-local-stepfunctions', () => {
  throw new Error("Cannot find module 'aws-local-stepfunctions' from 'lib/simulate/run-local.ts'");
});

function capture(): { io: CommandIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) }, out, err };
}

describe('help is always there, even when a command\'s optional package is missing', () => {
  test('simulate --help exits 0, says what the command does and how to get what it needs', async () => {
    const { io, out, err } = capture();
    expect(await main(['simulate', '--help'], io)).toBe(0);
    expect(out.join('\n')).toContain('usage: canary-eval simulate');
    expect(out.join('\n')).toContain('npm install --save-dev aws-local-stepfunctions');
    expect(err).toEqual([]);
  });

  test('running simulate without it is an error that names the package (exit 1)', async () => {
    const { io, err } = capture();
    expect(await main(['simulate', 'healthy'], io)).toBe(1);
    expect(err.join('\n')).toContain('needs the optional package aws-local-stepfunctions');
  });
});
