import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../lib/adapters/aws/sns-notifier';
import { NOTIFICATIONS } from '../lib/evaluation/contracts';
import { parseNotifyOn } from '../lib/evaluation/notification';
import type { NotificationChannel } from '../lib/evaluation/notify';
import { traced } from './shared';

/**
 * The evaluator's notification channel, from the environment `EvaluatorNotifications` gives the functions
 * that make verdicts known (report: accepted verdicts; watch: a canary watch that failed); none without it.
 */
export function notificationChannel(): NotificationChannel | undefined {
  const topicArn = process.env[NOTIFICATIONS.topicVariable];
  if (!topicArn) return undefined;
  const on = process.env[NOTIFICATIONS.onVariable];
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return { notifier: new SnsNotifier(traced(new SNSClient({}))), topicArn, region, ...(on ? { on: parseNotifyOn(JSON.parse(on), NOTIFICATIONS.onVariable) } : {}) };
}
