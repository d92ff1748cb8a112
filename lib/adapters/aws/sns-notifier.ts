import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../../evaluation/ports';

/**
 * Publishes an evaluation's notification to its SNS topic. The message is the Amazon Q Developer in chat
 * applications custom-notification JSON (`lib/evaluation/notification.ts`): a chat channel subscribed to
 * the topic shows it as a card; e-mail subscribers read the subject and the JSON.
 */
export class SnsNotifier implements Notifier {
  constructor(private readonly sns: SNSClient) {}

  async publish(topicArn: string, message: string, subject: string): Promise<void> {
    await this.sns.send(new PublishCommand({ TopicArn: topicArn, Message: message, Subject: subject }));
  }
}
