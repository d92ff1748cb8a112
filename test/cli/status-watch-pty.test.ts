import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `status --watch` in a real pseudo-terminal (tmux), driven by a fake clock (watch-driver.ts), checked
 * on screen: each read redraws the whole view in place (one header on screen, the new read time), and
 * the watch ends with the deployment, with its exit code.
 */
const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

const session = `cliops-watch-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(HAS_TMUX ? describe : describe.skip)('canary-eval status --watch in a pseudo-terminal (tmux)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'status-watch-'));
  });
  afterAll(() => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('redraws in place on each read of the fake clock and ends with the deployment', async () => {
    const driver = join(__dirname, 'watch-driver.ts');
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '45', `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true ${tsx} ${driver} ${dir}; sleep 60`);

    await waitFor(() => screen().includes('watching: next read in 1 min'), 'the first frame');
    let frame = screen();
    expect(frame).toContain('Deployment d-RUNNING01  orders-app / orders-prod  InProgress');
    expect(frame).toContain('read 10:08 UTC');
    expect(frame).toContain('traffic: 10% on the new version (version 7, current 6)');
    expect(frame).toContain('… lambda-error-rate 0.6 % on the new version vs 1.0 % on the current one (×0.6): not decided yet');
    expect(frame).toContain('Result: … running');

    writeFileSync(join(dir, 'go-1'), '');
    await waitFor(() => screen().includes('read 10:09 UTC'), 'the second frame');
    frame = screen();
    // Redrawn in place: the old frame is gone, not scrolled above the new one.
    expect(frame.match(/Deployment d-RUNNING01/g)).toHaveLength(1);
    expect(frame).not.toContain('read 10:08 UTC');

    writeFileSync(join(dir, 'go-2'), '');
    await waitFor(() => existsSync(join(dir, 'exit')), 'the watch to end');
    frame = screen();
    expect(frame).toContain('read 10:10 UTC');
    expect(frame).toContain('Deployment d-RUNNING01  orders-app / orders-prod  Succeeded');
    expect(frame).toContain('Result: ? inconclusive — promoted without a verdict');
    expect(frame).toContain('deployment ended');
    expect(frame.match(/Deployment d-RUNNING01/g)).toHaveLength(1);
    expect(readFileSync(join(dir, 'exit'), 'utf8')).toBe('5');
  }, 90_000);
});
