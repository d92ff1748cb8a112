import { buildNotification, DEFAULT_NOTIFY_ON, notificationText, shouldNotify, type NotificationLinks, type NotifyOn } from './notification';
import type { Notifier, VerdictEvent } from './ports';
import { parseDeploymentTarget, type DeploymentTarget } from './state';

/** The evaluator's notification topic (`NOTIFICATION_TOPIC_ARN`) and its default `on` (`NOTIFY_ON`). */
export interface NotificationChannel {
  readonly notifier: Notifier;
  readonly topicArn: string;
  /** @default DEFAULT_NOTIFY_ON */
  readonly on?: NotifyOn;
  /** For console links. @default - no deployment or execution links */
  readonly region?: string;
}

/** What the execution tells of the evaluation besides its verdict event. */
export interface NotificationSource {
  /** The execution input (its target names the service and version). */
  readonly execution?: unknown;
  /** The registration's `on` (its switches, `reportSwitchesOf`). @default - the channel's */
  readonly on?: NotifyOn;
  readonly executionArn?: string;
}

export interface NotifyDependencies {
  readonly log: { error(message: string, details: Record<string, unknown>): void; info(message: string, details: Record<string, unknown>): void };
  /** Counts `NotificationsFailed` (the runtime's EMF telemetry). */
  readonly count?: (name: string, value: number) => void;
}

export type NotifyResult = 'sent' | 'not-wanted' | 'failed';

/** Console links (AWS Management Console URL formats of CodeDeploy and Step Functions). */
export function consoleLinks(region: string | undefined, deploymentId: string, executionArn?: string): NotificationLinks {
  if (!region) return {};
  const host = `https://${region}.console.aws.amazon.com`;
  return {
    deployment: `${host}/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`,
    ...(executionArn ? { execution: `${host}/states/home?region=${region}#/v2/executions/details/${executionArn}` } : {}),
  };
}

function targetOf(execution: unknown): DeploymentTarget | undefined {
  try {
    return typeof execution === 'object' && execution !== null ? parseDeploymentTarget((execution as { target?: unknown }).target, 'execution.target') : undefined;
  } catch {
    return undefined; // the message then names the deployment group and the deployment only
  }
}

/** SNS subjects are ASCII, at most 100 characters, no line breaks (Amazon SNS API Reference, Publish: Subject). */
export function snsSubject(text: string): string {
  return text.replace(/→/g, '->').replace(/[^\x20-\x7E]/g, '').trim().slice(0, 100) || 'canary-evaluator verdict';
}

/**
 * Sends the one notification of an evaluation when the registration's `on` (or the evaluator's) asks
 * for it. Best effort: a failed `Publish` is logged and counted, never thrown, so it cannot change the
 * verdict nor fail the step that reports or publishes it.
 */
export async function notifyBestEffort(event: VerdictEvent, source: NotificationSource, channel: NotificationChannel | undefined, deps: NotifyDependencies): Promise<NotifyResult> {
  if (!channel) return 'not-wanted';
  const on = source.on ?? channel.on ?? DEFAULT_NOTIFY_ON;
  if (!shouldNotify(event, on)) return 'not-wanted';
  const links = { ...consoleLinks(channel.region, event.deploymentId, source.executionArn), ...(event.reportUrl ? { report: event.reportUrl } : {}) };
  const message = buildNotification({ event, target: targetOf(source.execution), executionArn: source.executionArn, links });
  try {
    await channel.notifier.publish(channel.topicArn, JSON.stringify(message), snsSubject(notificationText(message).split('\n')[0]));
    deps.log.info('notification sent', { topicArn: channel.topicArn, decision: event.decision, status: event.status });
    return 'sent';
  } catch (error) {
    deps.log.error('could not send the notification; the verdict stands', { error: (error as Error).message, topicArn: channel.topicArn });
    deps.count?.('NotificationsFailed', 1);
    return 'failed';
  }
}
