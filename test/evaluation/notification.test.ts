import { z } from 'zod';
import { buildNotification, notificationText, parseNotifyOn, shouldNotify, type ChatNotification } from '../../lib/evaluation/notification';
import { publishAccepted } from '../../lib/evaluation/conclude';
import type { Notifier, VerdictEvent, VerdictSink } from '../../lib/evaluation/ports';
import { consoleLinks, snsSubject } from '../../lib/evaluation/notify';

/**
 * The custom-notification event schema of Amazon Q Developer in chat applications (Administrator Guide,
 * "Custom notifications", Event schema and Parameter details,
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): `version` "1.0" and
 * `source` "custom" required; `content.description` required; `textType` "client-markdown" only; the
 * rest optional strings or lists of strings; `additionalContext` a map of strings. Strict: no other keys.
 */
const chatNotificationSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().optional(),
    description: z.string(),
    nextSteps: z.array(z.string()).optional(),
    keywords: z.array(z.string()).optional(),
  }),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z.string().optional(),
      relatedResources: z.array(z.string()).optional(),
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const subject = { deploymentId: 'd-ABC123', applicationName: 'orders-app', deploymentGroupName: 'orders-group', lifecycleEvent: 'AfterAllowTraffic' };
const errors = {
  metric: 'lambda-error-rate',
  method: 'sequential',
  critical: true,
  alpha: 0.01,
  decision: 'fail' as const,
  baseline: { periods: 10, count: 75, total: 8160 },
  canary: { periods: 10, count: 24, total: 895 },
  effect: 2.92,
  interval: [1.04, 6.31] as const,
  evidence: { eValue: 1251 },
  reason: 'lambda-error-rate: harm shown',
};
const rollback: VerdictEvent = {
  ...subject,
  status: 'Failed',
  decision: 'fail',
  cause: 'verdict',
  reason: errors.reason,
  dryRun: false,
  codeDeploy: 'rolled back',
  timeToVerdictSeconds: 420,
  verdict: { decision: 'fail', final: true, reason: errors.reason, metrics: [errors] },
};
const undecided = { ...errors, decision: 'inconclusive' as const, canary: { periods: 13, count: 0, total: 28 }, baseline: { periods: 13, count: 3, total: 268 }, effect: 1.18, interval: [null, null] as const, evidence: { eValue: 0.82, eValuePass: 1.09 }, reason: 'undecided' };
const inconclusive: VerdictEvent = {
  ...subject,
  status: 'Succeeded',
  decision: 'inconclusive',
  cause: 'verdict',
  reason: 'no verdict by the deadline (traffic too low)',
  dryRun: false,
  codeDeploy: 'promoted without a verdict',
  timeToVerdictSeconds: 1020,
  verdict: { decision: 'inconclusive', final: true, reason: 'no verdict by the deadline (traffic too low)', metrics: [undecided], inconclusive: { lowTraffic: true, metrics: ['lambda-error-rate'] } },
};
const pass: VerdictEvent = { ...rollback, status: 'Succeeded', decision: 'pass', codeDeploy: 'promoted', verdict: undefined, reason: 'no regression' };
const target = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '7', targetVersion: '8' };
const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-ABC123-AfterAllowTraffic';
const links = { deployment: 'https://console/d-ABC123', execution: 'https://console/exec', report: 'https://reports/d-ABC123.html' };

describe('the notification of an evaluation', () => {
  test.each([
    ['rollback', rollback],
    ['inconclusive', inconclusive],
  ])('%s: matches the documented custom-notification schema, after JSON', (_name, event) => {
    const message = buildNotification({ event, target, links, executionArn });
    expect(chatNotificationSchema.safeParse(JSON.parse(JSON.stringify(message))).error?.issues).toBeUndefined();
    // The schema itself rejects what the documentation does not allow.
    expect(chatNotificationSchema.safeParse({ ...message, source: 'canary' }).success).toBe(false);
    expect(chatNotificationSchema.safeParse({ ...message, content: { ...message.content, textType: 'markdown' } }).success).toBe(false);
  });

  test('rollback: the title and description name service, version, the metric\'s rates on each version with their ratio, and what CodeDeploy did', () => {
    const message: ChatNotification = buildNotification({ event: rollback, target, links, executionArn });
    expect(message.content.title).toBe(':x: Rolled back: orders-app / orders-group (Lambda orders:live), version 8 (from 7)');
    expect(notificationText(message)).toBe(
      [
        'Rolled back: orders-app / orders-group (Lambda orders:live), version 8 (from 7)',
        '',
        'Service: orders-app / orders-group (Lambda orders:live)',
        'Version: version 8 (from 7)',
        'Phase: AfterAllowTraffic of deployment d-ABC123',
        'Metric: lambda-error-rate 2.7 % on the new version vs 0.92 % on the current one (×2.9): regression shown',
        'CodeDeploy: rolled back',
        '- Report: https://reports/d-ABC123.html',
        '- Deployment: https://console/d-ABC123',
        '- Evaluation: https://console/exec',
      ].join('\n'),
    );
    expect(message.metadata).toMatchObject({ threadId: 'd-ABC123', relatedResources: [executionArn], additionalContext: { decision: 'fail', status: 'Failed' } });
  });

  test('inconclusive: promoted without a verdict, the undecided metric and what traffic would have decided', () => {
    const message = buildNotification({ event: inconclusive, target, links });
    expect(message.content.title).toBe(':grey_question: Promoted without a verdict: orders-app / orders-group (Lambda orders:live), version 8 (from 7)');
    const text = notificationText(message);
    // Each reason once: which metric, how little traffic, what would have decided; the statistics are in the report.
    expect(text).toContain('Why: no verdict by the deadline (traffic too low: 28 requests on the new version, roughly 1,497 would have decided): lambda-error-rate undecided');
    expect(text.match(/28 requests/g)).toHaveLength(1);
    expect(text).toContain('CodeDeploy: promoted without a verdict');
    // Fits a phone screen.
    expect(message.content.description.length).toBeLessThanOrEqual(600);
  });

  test('without a target or a verdict: names the deployment group and the reason', () => {
    const text = notificationText(buildNotification({ event: { ...rollback, decision: 'error', cause: 'evaluator-error', reason: 'evaluator error: boom', verdict: undefined, codeDeploy: 'rolled back: the evaluator failed (onEvaluatorError: fail)' }, links: {} }));
    expect(text.split('\n')).toEqual([
      'Evaluator error, rolled back: orders-app / orders-group, deployment d-ABC123',
      '',
      'Service: orders-app / orders-group',
      'Version: deployment d-ABC123',
      'Phase: AfterAllowTraffic of deployment d-ABC123',
      'Why: evaluator error: boom',
      'CodeDeploy: rolled back: the evaluator failed (onEvaluatorError: fail)',
    ]);
  });

  test('is wanted on rollbacks and deadlines without a verdict by default; passes only with every-verdict', () => {
    const defaults = parseNotifyOn(['rollback', 'inconclusive'], 'on');
    expect([rollback, inconclusive, pass].map((event) => shouldNotify(event, defaults))).toEqual([true, true, false]);
    expect([rollback, inconclusive, pass].map((event) => shouldNotify(event, ['inconclusive']))).toEqual([false, true, false]);
    expect(shouldNotify(pass, 'every-verdict')).toBe(true);
    expect(shouldNotify({ ...rollback, status: 'NotReported', cause: 'canary-watch' }, ['rollback'])).toBe(true);
    expect(() => parseNotifyOn(['rollbacks'], 'notifications.on')).toThrow('notifications.on: expected "every-verdict" or a list of "rollback", "inconclusive", got ["rollbacks"]');
  });

  test('SNS subject: ASCII, at most 100 characters; console links name the deployment and the execution', () => {
    expect(snsSubject('Rolled back: orders (version 7 → 8) ✓')).toBe('Rolled back: orders (version 7 -> 8)');
    expect(snsSubject('x'.repeat(150))).toHaveLength(100);
    expect(consoleLinks('eu-west-1', 'd-ABC123', executionArn)).toEqual({
      deployment: 'https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123?region=eu-west-1',
      execution: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${executionArn}`,
    });
  });
});

describe('the publish step notifies, once, best effort', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:oncall';
  const execution = { target, switches: { dryRun: false, onEvaluatorError: 'fail' } };

  function harness(options: { failSns?: boolean; failEvents?: boolean } = {}) {
    const published: VerdictEvent[] = [];
    const sent: Array<{ topicArn: string; message: ChatNotification; subject: string }> = [];
    const errors: string[] = [];
    const counts: string[] = [];
    const sink: VerdictSink = {
      publishTick: async () => undefined,
      publishVerdictMetrics: async () => undefined,
      publishVerdictEvent: async (event) => {
        if (options.failEvents) throw new Error('PutEvents rejected the verdict event');
        published.push(event);
      },
    };
    const notifier: Notifier = {
      publish: async (arn, message, subjectLine) => {
        if (options.failSns) throw new Error('AuthorizationError: not authorized to perform SNS:Publish');
        sent.push({ topicArn: arn, message: JSON.parse(message) as ChatNotification, subject: subjectLine });
      },
    };
    const store = { put: async (key: string) => ({ url: `https://reports/${key}` }) };
    const deps = {
      sink,
      reports: { store, render: () => '<html></html>' },
      notifications: { notifier, topicArn, region: 'us-east-1' },
      log: { info: () => undefined, error: (message: string, details: Record<string, unknown>) => void errors.push(`${message}: ${String(details.error)}`) },
      count: (name: string, value: number) => void counts.push(`${name}=${value}`),
    };
    return { deps, published, sent, errors, counts };
  }

  test('a rollback: one message, linking the stored report, the deployment and the execution', async () => {
    const { deps, published, sent } = harness();
    await expect(publishAccepted({ event: rollback, execution, executionArn }, deps)).resolves.toEqual({ published: true });
    expect(published).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0].topicArn).toBe(topicArn);
    expect(sent[0].subject).toBe('Rolled back: orders-app / orders-group (Lambda orders:live), version 8 (from 7)');
    expect(sent[0].message.content.nextSteps).toEqual([
      `Report: ${published[0].reportUrl}`,
      'Deployment: https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123?region=us-east-1',
      `Evaluation: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`,
    ]);
    expect(published[0].reportUrl).toMatch(/^https:\/\/reports\/reports\//);
  });

  test('none for a pass by default; one when the registration says every-verdict', async () => {
    const quiet = harness();
    await publishAccepted({ event: pass, execution, executionArn }, quiet.deps);
    expect([quiet.published.length, quiet.sent.length]).toEqual([1, 0]);
    const chatty = harness();
    await publishAccepted({ event: pass, execution: { ...execution, switches: { ...execution.switches, notify: 'every-verdict' } }, executionArn }, chatty.deps);
    expect([chatty.published.length, chatty.sent.length]).toEqual([1, 1]);
    const narrowed = harness();
    await publishAccepted({ event: rollback, execution: { ...execution, switches: { ...execution.switches, notify: ['inconclusive'] } }, executionArn }, narrowed.deps);
    expect([narrowed.published.length, narrowed.sent.length]).toEqual([1, 0]);
  });

  test('a failing SNS is logged and counted, and changes neither the published verdict nor the result', async () => {
    const ok = harness();
    const failing = harness({ failSns: true });
    await publishAccepted({ event: rollback, execution, executionArn }, ok.deps);
    await expect(publishAccepted({ event: rollback, execution, executionArn }, failing.deps)).resolves.toEqual({ published: true });
    expect(failing.published).toEqual(ok.published);
    expect(failing.sent).toEqual([]);
    expect(failing.errors).toEqual(['could not send the notification; the verdict stands: AuthorizationError: not authorized to perform SNS:Publish']);
    expect(failing.counts).toEqual(['NotificationsFailed=1']);
  });

  test('a failing verdict event still notifies, then fails the publish as before', async () => {
    const { deps, sent } = harness({ failEvents: true });
    await expect(publishAccepted({ event: inconclusive, execution, executionArn }, deps)).rejects.toThrow('PutEvents rejected the verdict event');
    expect(sent).toHaveLength(1);
  });
});

describe('the log signal in the notification (issue 26)', () => {
  const logs = {
    decision: 'fail' as const,
    critical: true,
    reason: 'new error signature',
    signature: 'TypeError: <b>*boom*</b> <!channel>',
    samples: ['{"level":"ERROR","message":"<script>alert(1)</script> *bold* <@U123>"}', 'two', 'three'],
    bytesScanned: 1_366_000_000,
    costUsd: 0.00683,
    queries: 21,
    mostQueriesPerLook: 4,
  };
  const logFail: VerdictEvent = { ...rollback, reason: 'logs: new error signature', verdict: { decision: 'fail', final: true, reason: 'logs: new error signature', metrics: [], logs } };

  test('names the signature, the first of its samples and the MB scanned, escaped for chat', () => {
    const text = buildNotification({ event: logFail, target, links }).content.description;
    expect(text).toContain('1366 MB scanned ($0.0068)');
    expect(text.match(/\*Sample:\*/g)).toHaveLength(1);
    // Slack/Teams control sequences of the service's own text are neutralised.
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U123>');
    expect(text).not.toContain('<script>');
  });

  test('a long sample line is cut to 120 characters in chat (the report keeps it whole and the other samples)', () => {
    const long = `Error: ${'x'.repeat(290)}`;
    const text = buildNotification({ event: { ...logFail, verdict: { ...logFail.verdict!, logs: { ...logs, samples: [long, long, long] } } } as VerdictEvent, target, links }).content.description;
    const samples = text.split('\n').filter((line) => line.startsWith('*Sample:*'));
    expect(samples).toEqual([`*Sample:* ${long.slice(0, 119)}…`]);
  });
});

describe('notifications say why spend moved and what the budget projects', () => {
  const costFail = {
    metric: 'cost-per-request',
    method: 'cost',
    critical: true,
    decision: 'fail' as const,
    baseline: { periods: 10, requests: 9000, costPerRequest: 0.0037 },
    canary: { periods: 10, requests: 1000, costPerRequest: 0.0121 },
    effect: 3.24,
    spendDriver: { type: 'input' as const, usdPerRequest: 0.0092, cacheMiss: true },
    reason: 'cost-per-request: harm shown',
  };
  const budgetFail = {
    metric: 'budget',
    method: 'budget',
    critical: true,
    decision: 'fail' as const,
    baseline: { periods: 0 },
    canary: { periods: 7 },
    budget: { period: 'daily' as const, limitUsd: 7200, projectedUsd: 7744, interval: [7539, 7949] as const, level: 0.95, action: 'fail' as const, periods: 7 },
    reason: 'budget: over',
  };

  test('the cost metric names the token type that moved and the cache miss; the budget its projection, interval and budget', () => {
    const event: VerdictEvent = { ...rollback, verdict: { decision: 'fail', final: true, reason: 'x', metrics: [costFail, budgetFail] } };
    const text = notificationText(buildNotification({ event, target, links: {} }));
    expect(text).toContain('cost-per-request $12.1 per 1,000 requests on the new version vs $3.7 on the current one (×3.2), mostly input tokens (+$9.2 per 1,000 requests: cache reads fell, a prompt-cache miss): regression shown');
    expect(text).toContain('budget $7,744 per day projected for the new version at full traffic (interval $7,539–$7,949, 95% over every look) vs the daily budget of $7,200: over budget');
  });
});
