import { formatNumber } from '../judge/format';
import { metricHeadline, verdictSummary } from '../judge/plain';
import type { LogSignalVerdict, MetricResult, Verdict } from '../judge/verdict';
import type { NotifyOn } from './notify-on';
import type { VerdictEvent } from './ports';
import type { DeploymentTarget } from './state';
import { overrideWords } from './override/record';

export { DEFAULT_NOTIFY_ON, parseNotifyOn, type NotifyOn, type NotifyWhen } from './notify-on';

/**
 * The custom-notification message of Amazon Q Developer in chat applications (formerly AWS Chatbot),
 * published to an SNS topic a chat channel subscribes to. Follows the documented event schema
 * (Amazon Q Developer in chat applications Administrator Guide, "Custom notifications", Event schema:
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): `version` "1.0", `source`
 * "custom", `content.textType` "client-markdown", `content.description` required; `metadata.threadId`
 * groups the messages of one deployment in one thread.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

/** Links a person follows from the message (made by the caller: the pure builder knows no region). */
export interface NotificationLinks {
  readonly deployment?: string;
  readonly execution?: string;
  readonly report?: string;
}

/** Everything one message needs besides the verdict event. */
export interface NotificationContext {
  readonly event: VerdictEvent;
  readonly target?: DeploymentTarget;
  readonly executionArn?: string;
  readonly links: NotificationLinks;
}

/** The hook reported `Failed` (or the watch raised the verdict alarm): CodeDeploy rolls back. */
function isRollback(event: VerdictEvent): boolean {
  return event.status === 'Failed' || (event.status === 'NotReported' && event.decision === 'fail' && !event.dryRun);
}

/** Whether `on` asks for a message about this event. */
export function shouldNotify(event: VerdictEvent, on: NotifyOn): boolean {
  // An override is always told: on call went around the gate, the channel hears who and why.
  if (on === 'every-verdict' || event.override) return true;
  return (on.includes('rollback') && isRollback(event)) || (on.includes('inconclusive') && event.decision === 'inconclusive');
}

/** Chat cards are read at a glance; a very long description is cut (SNS itself takes 256 KB). */
const MAX_DESCRIPTION = 3500;

function verdictOf(event: VerdictEvent): Verdict | undefined {
  const verdict = event.verdict as Verdict | undefined;
  return verdict && Array.isArray(verdict.metrics) ? verdict : undefined;
}

/** The service and the version being deployed, as the on-call engineer names them. */
export function serviceOf(event: VerdictEvent, target?: DeploymentTarget): { service: string; version: string } {
  const service = `${event.applicationName} / ${event.deploymentGroupName}`;
  if (target?.type === 'lambda') return { service: `${service} (Lambda ${target.functionName}:${target.alias})`, version: `version ${target.targetVersion} (from ${target.currentVersion})` };
  if (target?.type === 'ecs') return { service: `${service} (ECS ${target.service ?? target.canaryTargetGroup})`, version: `task definition ${target.taskDefinition.split('/').pop()}` };
  return { service, version: `deployment ${event.deploymentId}` };
}

/** The metrics that made the outcome: the failed critical ones, or the undecided ones of an inconclusive run. */
function decidingMetrics(event: VerdictEvent): MetricResult[] {
  const wanted = event.decision === 'inconclusive' ? 'inconclusive' : 'fail';
  return (verdictOf(event)?.metrics ?? []).filter((result) => result.critical && result.decision === wanted).slice(0, 3);
}

/**
 * One metric in plain words, as every view opens it: what happened on each version, in units, and the
 * outcome (`metricHeadline`); the statistics stay in the report, which the message links to.
 */
export function metricLine(result: MetricResult): string {
  return metricHeadline(result);
}

function headline(event: VerdictEvent): string {
  if (event.override?.honoured) return `:rotating_light: Overridden (${event.override.action})`;
  if (event.decision === 'inconclusive') return isRollback(event) ? ':grey_question: Rolled back without a verdict' : ':grey_question: Promoted without a verdict';
  if (event.decision === 'error') return isRollback(event) ? ':warning: Evaluator error, rolled back' : ':warning: Evaluator error, let through';
  if (isRollback(event)) return ':x: Rolled back';
  return event.lifecycleEvent === 'AfterAllowTraffic' ? ':white_check_mark: Promoted' : ':white_check_mark: Checks passed';
}

/**
 * Text for Slack's mrkdwn: `&`, `<` and `>` as HTML entities, as Slack asks of text not meant for its
 * parsing, so that no `<!channel>`, `<@U…>`, `<#C…>` or `<url|label>` is made (Slack API, "Formatting
 * text for app surfaces", Escaping text: https://api.slack.com/reference/surfaces/formatting#escaping).
 */
export function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text for Microsoft Teams' card markdown (a CommonMark subset: bold, italic, lists, `[title](url)`
 * links; Adaptive Cards, "Text features": https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features,
 * and Teams, "Text formatting in cards": https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
 * Backslash and square brackets are backslash-escaped (CommonMark escapes any ASCII punctuation), so no
 * link is made, and `{{` is split so that no DATE()/TIME() function of the card is.
 */
export function teamsText(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&').replace(/\{(?=\{)/g, '{ ');
}

/**
 * A quoted string (a smoke-test reason from the new version's response, a policy's metric name, a
 * CodeDeploy name) as the chat message shows it. Amazon Q Developer renders `client-markdown` in the
 * target chat client's own markdown (custom notifications, Parameter details: textType), and one topic
 * may feed a Slack and a Teams channel, so it is escaped for both; line breaks and other control or
 * direction-changing characters become spaces, so a quoted string never starts a line of its own.
 */
export function chatText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return slackText(teamsText(text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+/g, ' ')));
}

/**
 * Why, briefly: a failing metric's headline each; for an undecided run, the reason once (which metrics,
 * how much traffic) rather than the same explanation per metric.
 */
function whyLines(event: VerdictEvent, metrics: readonly MetricResult[]): string[] {
  const verdict = verdictOf(event);
  const logs = verdict?.logs ? logLines(verdict.logs) : [];
  if (event.decision === 'inconclusive' && verdict) return [`*Why:* ${chatText(verdictSummary(verdict))}`, ...logs];
  if (verdict?.logs?.decision === 'fail' && metrics.length === 0) return logs;
  return [...(metrics.length > 0 ? metrics.map((result) => `*Metric:* ${chatText(metricLine(result))}`) : [`*Why:* ${chatText(event.reason)}`]), ...logs];
}

/** Characters of a sample line a chat message shows; the report has the whole line (up to 300). */
const CHAT_SAMPLE_CHARS = 120;
/**
 * Sample lines a chat message shows; the report has all (up to 3). With three, a failing log signal's
 * message was 716 characters in `npm start`'s new-exception, past the 600 that fit a phone screen.
 */
const CHAT_SAMPLES = 1;

/** The log signal (issue 26): the failing signature, one of its lines (the service's own text: escaped for chat, cut to fit a chat message), the bytes scanned. */
function logLines(logs: LogSignalVerdict): string[] {
  const scanned = `${formatNumber(logs.bytesScanned / 1e6)} MB scanned ($${logs.costUsd.toFixed(4)})`;
  if (logs.decision !== 'fail' || logs.signature === undefined) return [`*Logs:* ${chatText(logs.decision)}; ${scanned}`];
  return [`*Logs:* new error signature ${chatText(logs.signature)}; ${scanned}`, ...(logs.samples ?? []).slice(0, CHAT_SAMPLES).map((sample) => `*Sample:* ${chatText(sample.length > CHAT_SAMPLE_CHARS ? `${sample.slice(0, CHAT_SAMPLE_CHARS - 1)}…` : sample)}`)];
}

/** The one message of an evaluation. Pure: the links are made by the caller. */
export function buildNotification(context: NotificationContext): ChatNotification {
  const { event, links } = context;
  const named = serviceOf(event, context.target);
  const [service, version] = [chatText(named.service), chatText(named.version)];
  const title = `${headline(event)}: ${service}, ${version}`;
  const metrics = decidingMetrics(event);
  const lines = [
    `*Service:* ${service}`,
    `*Version:* ${version}`,
    `*Phase:* ${chatText(event.lifecycleEvent)} of deployment ${chatText(event.deploymentId)}`,
    ...whyLines(event, metrics),
    ...(event.override ? [`*Override:* ${chatText(overrideWords(event.override))}`] : []),
    `*CodeDeploy:* ${chatText(event.codeDeploy ?? event.status)}`,
  ];
  const full = lines.join('\n');
  const description = full.length > MAX_DESCRIPTION ? `${full.slice(0, MAX_DESCRIPTION - 1)}…` : full;
  const nextSteps = [
    links.report ? `Report: ${links.report}` : undefined,
    links.deployment ? `Deployment: ${links.deployment}` : undefined,
    links.execution ? `Evaluation: ${links.execution}` : undefined,
  ].filter((step): step is string => step !== undefined);
  return {
    version: '1.0',
    source: 'custom',
    id: `${event.deploymentId}-${event.lifecycleEvent}`,
    content: { textType: 'client-markdown', title, description, ...(nextSteps.length > 0 ? { nextSteps } : {}), keywords: [event.decision, event.lifecycleEvent, event.applicationName].map(chatText) },
    metadata: {
      threadId: event.deploymentId,
      summary: title.replace(/^:[a-z_]+: /, ''),
      eventType: 'CanaryVerdict',
      ...(context.executionArn ? { relatedResources: [context.executionArn] } : {}),
      additionalContext: { deploymentId: event.deploymentId, decision: event.decision, status: event.status, cause: event.cause },
    },
  };
}

/** The message as plain text (logs, e-mail subscribers): no markdown, no emoji, quoted strings unescaped. */
export function notificationText(message: ChatNotification): string {
  const unescape = (text: string) => text.replace(/\\([\\[\]])/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const plain = (text: string) => unescape(text.replace(/\*([^*]+)\*/g, '$1').replace(/:[a-z_]+: /g, ''));
  return [plain(message.content.title), '', plain(message.content.description), ...(message.content.nextSteps ?? []).map((step) => `- ${step}`)].join('\n');
}
