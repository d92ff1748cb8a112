import fc from 'fast-check';
import { BatchGetDeploymentsCommand, GetDeploymentCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { historyCommand, renderHistory, type History } from '../../lib/cli/history-command';
import { renderStatus, statusCommand } from '../../lib/cli/status-command';
import { terminalSafe } from '../../lib/report/terminal-text';
import type { DeploymentStatus } from '../../lib/cli/deployment-report';
import { APP, DEPLOYMENT_IDS, GROUP, at, deploymentInfo, getDeployment } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

/**
 * Issue 23 item 7: strings from the new version's responses, from policies and from CodeDeploy reach
 * `canary-eval status`. None may act on the terminal (ECMA-48 control functions: C0 and C1 controls,
 * ESC and CSI/OSC sequences such as clear screen or OSC 52 clipboard writes) or start a line of its own.
 */
const HOSTILE = [
  '\u001b[2J\u001b[H✓ ALL GREEN',
  '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007',
  'ok\nResult: ✓ promoted — all good',
  'ok\r✓ passed',
  '\u009b2J\u009d52;c;eA==\u009c (8-bit CSI and OSC)',
  'bell\u0007 backspace\u0008\u0008 delete\u007f',
  'right-to-left \u202eneerg lla\u202c trick',
];

/** A terminal acts on these (ECMA-48 C0, DEL, C1) or reorders text around them (Unicode bidi controls). */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

async function statusOf(kind: keyof typeof DEPLOYMENT_IDS): Promise<DeploymentStatus> {
  const mocks = mockAws();
  try {
    const out: string[] = [];
    await statusCommand([DEPLOYMENT_IDS[kind], '--json'], { stdout: (s) => out.push(s), stderr: () => undefined }, { clients: mocks.clients, now: () => at(30), sleep: async () => undefined });
    return JSON.parse(out.join('\n')) as DeploymentStatus;
  } finally {
    mocks.restore();
  }
}

/** The status with `text` in every string field a deployment, a policy or a response can set. */
function poisoned(status: DeploymentStatus, text: string): DeploymentStatus {
  return {
    ...status,
    summary: `${status.summary} ${text}`,
    deployment: { ...status.deployment, applicationName: `app ${text}`, creator: text, error: { code: 'HOOK_EXECUTION_FAILURE', message: text } },
    evaluations: status.evaluations.map((evaluation) => ({
      ...evaluation,
      error: text,
      smokeTests: [...evaluation.smokeTests, { phase: 'pre-traffic', passed: false, reason: `1 of 1 smoke test(s) failed: health: $.status is ${JSON.stringify(text)}` }] as typeof evaluation.smokeTests,
      ...(evaluation.latest ? { latest: { ...evaluation.latest, reason: text } } : {}),
      metrics: evaluation.metrics.map((metric) => ({ ...metric, metric: `m ${text}`, reason: text })),
    })),
  };
}

describe('canary-eval status shows quoted strings inert', () => {
  let clean: DeploymentStatus;
  beforeAll(async () => {
    clean = await statusOf('rolled-back');
  });

  test.each(HOSTILE)('%j in every quoted field: no control character, no extra line', (text) => {
    const rendered = renderStatus(poisoned(clean, text), at(30));
    const benign = renderStatus(poisoned(clean, 'x'), at(30));
    expect(rendered).not.toMatch(ACTIVE);
    expect(rendered.split('\n')).toHaveLength(benign.split('\n').length);
    expect(rendered.split('\n').filter((line) => line.startsWith('Result:'))).toHaveLength(1);
  });

  test('the escaped text stays readable', () => {
    const rendered = renderStatus(poisoned(clean, '\u001b[2J ok\nnext'), at(30));
    expect(rendered).toContain('\\x1b[2J ok\\nnext');
  });

  test('end to end: a CodeDeploy error message with escapes, --watch on a terminal, only the program\'s own redraw', async () => {
    const mocks = mockAws();
    try {
      const deployment = getDeployment('rolled-back');
      mocks.codedeploy.on(GetDeploymentCommand, { deploymentId: DEPLOYMENT_IDS['rolled-back'] }).resolves({ ...deployment, deploymentInfo: { ...deployment.deploymentInfo, errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: HOSTILE.join(' | ') } } });
      const out: string[] = [];
      await statusCommand([DEPLOYMENT_IDS['rolled-back'], '--watch'], { stdout: (s) => out.push(s), stderr: () => undefined }, { clients: mocks.clients, now: () => at(30), sleep: async () => undefined, tty: true });
      const screen = out.join('\n');
      expect(screen.startsWith('\u001b[H\u001b[2J')).toBe(true);
      expect(screen.slice('\u001b[H\u001b[2J'.length)).not.toMatch(ACTIVE);
      expect(screen).toContain('CodeDeploy: HOOK_EXECUTION_FAILURE: \\x1b[2J\\x1b[H✓ ALL GREEN');
    } finally {
      mocks.restore();
    }
  });

  test('fuzz: generated strings with controls never reach the terminal raw', () => {
    const pieces = fc.oneof(fc.constantFrom('\u001b', '[', ']', '52;c;', '2J', '\u0007', '\n', '\r', '\t', '\u009b', '\u009d', '\u202e', '\u2028', 'ok', ' ', '✓'), fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)));
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 1, maxLength: 16 }).map((parts) => parts.join('')), (text) => {
        const rendered = renderStatus(poisoned(clean, text), at(30));
        expect(rendered).not.toMatch(ACTIVE);
        expect(rendered.split('\n')).toHaveLength(renderStatus(poisoned(clean, 'x'), at(30)).split('\n').length);
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});

describe('the other terminal views escape what they quote', () => {
  test('canary-eval history: every string of every deployment', async () => {
    const mocks = mockAws();
    try {
      mocks.codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [DEPLOYMENT_IDS['rolled-back']] });
      mocks.codedeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [deploymentInfo('rolled-back')] });
      const out: string[] = [];
      await historyCommand(['--application', APP, '--group', GROUP, '--json'], { stdout: (s) => out.push(s), stderr: () => undefined }, { clients: mocks.clients, now: () => at(60 * 24) });
      const history = JSON.parse(out.join('\n')) as History;
      const walk = (value: unknown, text: string): unknown =>
        typeof value === 'string' ? `${value}${text}` : Array.isArray(value) ? value.map((item) => walk(item, text)) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, text)])) : value;
      for (const text of HOSTILE) {
        const rendered = renderHistory(walk(history, text) as History);
        expect(rendered).not.toMatch(ACTIVE);
        expect(rendered.split('\n')).toHaveLength(renderHistory(walk(history, 'x') as History).split('\n').length);
      }
    } finally {
      mocks.restore();
    }
  });

  test('terminalSafe escapes strings at any depth and keeps everything else', () => {
    const date = new Date(0);
    const safe = terminalSafe({ a: ['\u001b[2J', { b: 'ok\n' }], n: 1, d: date, u: undefined, nil: null, t: true });
    expect(safe).toEqual({ a: ['\\x1b[2J', { b: 'ok\\n' }], n: 1, d: date, u: undefined, nil: null, t: true });
    expect(safe.d).toBe(date);
  });
});
