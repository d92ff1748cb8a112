import fc from 'fast-check';
import { buildNotification, notificationText } from '../../lib/evaluation/notification';
import type { VerdictEvent } from '../../lib/evaluation/ports';

/**
 * Issue 23 item 7: strings from the new version's responses (smoke reasons) and from policies (metric
 * names, reasons) reach Slack and Microsoft Teams through Amazon Q Developer's custom notifications,
 * whose `client-markdown` text each chat client renders in its own markdown. None of them may mention
 * anyone, make a link, or add a line of their own.
 */

const HOSTILE = [
  '<!channel> deploy is fine',
  'ping <@U024BE7LH> and <!here> and <!subteam^S123>',
  'see <https://evil.example/login|the runbook>',
  'open [the dashboard](https://evil.example/phish)',
  'ok\n*CodeDeploy:* Succeeded',
  'ok\r\n*CodeDeploy:* Succeeded\n*Why:* all green',
  'ok\u2028*CodeDeploy:* Succeeded',
  '\u001b[2J\u001b[HALL GREEN',
  'tab\there & <b>bold</b> {{DATE(2017-02-14T06:00:00Z, SHORT)}}',
  'right-to-left \u202eneerg lla\u202c trick',
];

const subject = { deploymentId: 'd-ABC123', applicationName: 'orders-app', deploymentGroupName: 'orders-group', lifecycleEvent: 'BeforeAllowTraffic' };
const smokeFailure = (reason: string, applicationName = 'orders-app'): VerdictEvent => ({
  ...subject,
  applicationName,
  status: 'Failed',
  decision: 'fail',
  cause: 'smoke-tests',
  reason,
  dryRun: false,
  codeDeploy: 'rolled back',
  timeToVerdictSeconds: 60,
});
const metricFailure = (metric: string, reason: string): VerdictEvent => ({
  ...smokeFailure('metric failed'),
  lifecycleEvent: 'AfterAllowTraffic',
  cause: 'verdict',
  verdict: {
    decision: 'fail',
    final: true,
    reason,
    metrics: [{ metric, method: 'threshold', critical: true, decision: 'fail', baseline: { periods: 5, count: 1, total: 100 }, canary: { periods: 5, count: 30, total: 100 }, reason }],
  },
});

/** Checks written from the media's rules, independently of the escaping code. */
function markupProblems(message: ReturnType<typeof buildNotification>, expectedLines: number): string[] {
  const { title, description, nextSteps = [] } = message.content;
  const problems: string[] = [];
  for (const [where, text] of [['title', title], ['description', description], ...nextSteps.map((step, i) => [`nextSteps[${i}]`, step])] as const) {
    // Slack: `<` opens a mention, a channel link or a link (Slack, "Formatting text for app surfaces").
    if (/[<>]/.test(text)) problems.push(`${where} has a raw < or >: ${JSON.stringify(text)}`);
    // Teams (Adaptive Card markdown): [label](url) makes a link.
    if (/(^|[^\\])\[[^\]]*(^|[^\\])\]\(/.test(text)) problems.push(`${where} has a markdown link: ${JSON.stringify(text)}`);
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text)) problems.push(`${where} has a control character: ${JSON.stringify(text)}`);
    if (/\{\{/.test(text)) problems.push(`${where} has a card function {{: ${JSON.stringify(text)}`);
  }
  const lines = description.split('\n');
  if (lines.length !== expectedLines) problems.push(`description has ${lines.length} lines, expected ${expectedLines}: ${JSON.stringify(description)}`);
  if (lines.filter((line) => line.startsWith('*CodeDeploy:*')).length !== 1) problems.push(`description has a forged *CodeDeploy:* line: ${JSON.stringify(description)}`);
  if (/[\n\r]/.test(title)) problems.push('title has a line break');
  return problems;
}

describe('chat notifications escape what they quote (Slack mrkdwn and Teams markdown)', () => {
  test.each(HOSTILE)('a smoke-test reason %j', (reason) => {
    const message = buildNotification({ event: smokeFailure(reason), links: { report: 'https://console.aws.amazon.com/s3/report.html' } });
    expect(markupProblems(message, 5)).toEqual([]);
    // What the reason said is still there to read.
    expect(message.content.description).toContain('*Why:* ');
  });

  test.each(HOSTILE)('a policy metric name and reason %j', (text) => {
    const message = buildNotification({ event: metricFailure(`m ${text}`, text), links: {} });
    expect(markupProblems(message, 5)).toEqual([]);
  });

  test.each(HOSTILE)('an application name %j (title and description)', (name) => {
    const message = buildNotification({ event: smokeFailure('smoke failed', name), links: {} });
    expect(markupProblems(message, 5)).toEqual([]);
  });

  test('the text is kept readable: escaped, not dropped', () => {
    const message = buildNotification({ event: smokeFailure('a & b <!channel> [x](y)'), links: {} });
    expect(message.content.description).toContain('a &amp; b &lt;!channel&gt; \\[x\\](y)');
    // The plain-text form (e-mail, the SNS subject) reads as the original.
    expect(notificationText(message)).toContain('a & b <!channel> [x](y)');
  });

  test('fuzz: generated hostile strings in every quoted field never mention, link or add a line', () => {
    const pieces = fc.constantFrom('<', '>', '&', '!channel', '@U1', '|', '[', ']', '(', ')', 'https://e.x', '\n', '\r', '\u2028', '\u001b', '\u009b', '\u202e', '*', '_', '`', '~', '{{', '}}', '\\', 'a', ' ', '&lt;');
    const hostile = fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(hostile, hostile, hostile, (reason, name, metric) => {
        expect(markupProblems(buildNotification({ event: smokeFailure(reason, name), links: {} }), 5)).toEqual([]);
        expect(markupProblems(buildNotification({ event: metricFailure(metric, reason), links: {} }), 5)).toEqual([]);
      }),
      { numRuns: 500, seed: 23 },
    );
  });
});
