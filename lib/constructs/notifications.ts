import { Annotations, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { NOTIFICATIONS } from '../evaluation/contracts';
import { grantKeyThrough } from './service-authorization';
import { DEFAULT_NOTIFY_ON, parseNotifyOn, type NotifyOn } from '../evaluation/notification';
import { requireSupportedAwsCdkLib } from './peer-version';

/** A Slack channel that shows the evaluator's notifications (Amazon Q Developer in chat applications, formerly AWS Chatbot). */
export interface SlackChannel {
  /** The Slack workspace id: the workspace must be authorized once in the Amazon Q Developer in chat applications console. */
  readonly slackWorkspaceId: string;
  /** The Slack channel id (in Slack: channel details, at the bottom). */
  readonly slackChannelId: string;
  /**
   * The name of the channel configuration; names are unique in the account across Regions.
   * @default - the construct path, the account and the Region
   */
  readonly configurationName?: string;
}

/**
 * A channel configuration that already exists for the channel: a Slack channel takes one channel
 * configuration per account (a second one fails to create: issue 24's audit of the deploy), so a second
 * evaluator in the account, or a team that already shows other notifications in the channel, reuses it. One of this app (`SlackChannelConfiguration`, `CfnMicrosoftTeamsChannelConfiguration`)
 * is subscribed to the topic; for one defined elsewhere, add the evaluator's topic to its SNS topics there
 * (README, "Notifications": the topic's ARN is `EvaluatorNotifications.topic`).
 */
export interface ExistingChannelConfiguration {
  /** The channel configuration's ARN (`arn:aws:chatbot::<account>:chat-configuration/slack-channel/<name>`, or `…/microsoft-teams-channel/<name>`). */
  readonly channelConfigurationArn: string;
}

/**
 * A Microsoft Teams channel that shows the evaluator's notifications. The team must be configured once in
 * the Amazon Q Developer in chat applications console (Administrator Guide, "Tutorial: Get started with
 * Microsoft Teams"); the ids are in the channel's link (`groupId` is the team, `tenantId` the tenant).
 */
export interface TeamsChannel {
  /** The team id (`groupId` in the channel's link). */
  readonly teamId: string;
  /** The channel id as the channel's link has it, URL-encoded (after `/channel/`: `19%3a…%40thread.tacv2`). */
  readonly teamsChannelId: string;
  /** The Microsoft 365 tenant id (`tenantId` in the channel's link). */
  readonly teamsTenantId: string;
  /**
   * The name of the channel configuration; names are unique in the account across Regions.
   * @default - the construct path, the account and the Region
   */
  readonly configurationName?: string;
}

/**
 * Who hears about an evaluation: one message per evaluation (service, version, the deciding metric with
 * its effect, interval and counts, what CodeDeploy did, links) in the Amazon Q Developer in chat
 * applications custom-notification format, published to an SNS topic.
 */
export interface NotificationOptions {
  /**
   * The topic the messages go to.
   * @default - a new topic, TLS only, encrypted with the evaluator's `encryptionKey` or else the AWS managed SNS key
   */
  readonly topic?: sns.ITopic;
  /**
   * A Slack channel to show the messages in: a new channel configuration subscribed to the topic, or the
   * channel's existing configuration (`chatbot.SlackChannelConfiguration` of this app, subscribed to the
   * topic; or `{ channelConfigurationArn }`, to which you add the topic where it is defined).
   * @default - none; subscribe your own (e-mail, a chat configuration) to `topic`
   */
  readonly slackChannel?: SlackChannel | chatbot.SlackChannelConfiguration | ExistingChannelConfiguration;
  /**
   * A Microsoft Teams channel to show the messages in: a new channel configuration subscribed to the topic,
   * or an existing one (`chatbot.CfnMicrosoftTeamsChannelConfiguration` of this app, subscribed to the topic;
   * or `{ channelConfigurationArn }`).
   * @default - none
   */
  readonly teamsChannel?: TeamsChannel | chatbot.CfnMicrosoftTeamsChannelConfiguration | ExistingChannelConfiguration;
  /**
   * When to notify: `['rollback', 'inconclusive']` or a part of it, or `'every-verdict'` (promotions too).
   * A registration may say otherwise (`notifications.on` of its options).
   * @default ['rollback', 'inconclusive']
   */
  readonly on?: NotifyOn;
}

/** The `notifications` prop of `CanaryEvaluatorProps`. */
export interface EvaluatorNotificationProps {
  /**
   * Notifications of evaluations on an SNS topic, and optionally in a Slack channel.
   * @default - none; verdicts are known from the `Canary Verdict` event, the dashboard and the alarms
   */
  readonly notifications?: NotificationOptions;
}

/** What `EvaluatorNotifications` needs of the evaluator. */
export interface EvaluatorNotificationsProps extends NotificationOptions {
  /**
   * The functions that make verdicts known: the report function (accepted verdicts) and the watch function
   * (a failed canary watch); the only ones granted `sns:Publish`.
   */
  readonly publishers: readonly lambda.Function[];
  /**
   * The evaluator's customer managed key, for a topic this construct creates.
   * @default - the AWS managed SNS key
   */
  readonly encryptionKey?: kms.IKey;
}

const ID = 'Notifications';

/** The evaluator's notification topic, its Slack channel configuration, and the publisher's grant. */
export class EvaluatorNotifications extends Construct {
  /** The notifications of `evaluator`, if it has any. */
  static of(evaluator: IConstruct): EvaluatorNotifications | undefined {
    const child = evaluator.node.tryFindChild(ID);
    return child instanceof EvaluatorNotifications ? child : undefined;
  }

  /** The topic the messages are published to. */
  public readonly topic: sns.ITopic;
  /** When the evaluator notifies, unless a registration says otherwise. */
  public readonly on: NotifyOn;
  /** The Slack channel configuration, when `slackChannel` was given (unless as an ARN). */
  public readonly slackChannelConfiguration?: chatbot.SlackChannelConfiguration;
  /** The Microsoft Teams channel configuration, when `teamsChannel` was given (unless as an ARN). */
  public readonly teamsChannelConfiguration?: chatbot.CfnMicrosoftTeamsChannelConfiguration;

  constructor(scope: Construct, props: EvaluatorNotificationsProps) {
    super(scope, ID);
    requireSupportedAwsCdkLib(this);
    this.on = props.on === undefined ? DEFAULT_NOTIFY_ON : parseNotifyOn(props.on, `${scope.node.path}: notifications.on`);
    this.topic =
      props.topic ??
      new sns.Topic(this, 'Topic', {
        enforceSSL: true,
        // SNS encrypts at rest only with a KMS key (Amazon SNS Developer Guide, "Encryption at rest").
        masterKey: props.encryptionKey ?? kms.Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      });
    const slack = props.slackChannel;
    if (slack instanceof chatbot.SlackChannelConfiguration) {
      slack.addNotificationTopic(this.topic);
      this.slackChannelConfiguration = slack;
    } else if (slack && 'channelConfigurationArn' in slack) {
      addTopicWhereDefined(this, 'Slack', slack.channelConfigurationArn);
    } else if (slack) {
      this.slackChannelConfiguration = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: uniqueConfigurationName(this, 'slack', slack.configurationName),
        slackWorkspaceId: slack.slackWorkspaceId,
        slackChannelId: slack.slackChannelId,
        notificationTopics: [this.topic],
        // The channel only shows notifications: its guardrail caps what any channel role could do
        // (Amazon Q Developer in chat applications Administrator Guide, "Understanding guardrail policies").
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      });
    }
    const teams = props.teamsChannel;
    if (teams instanceof chatbot.CfnMicrosoftTeamsChannelConfiguration) {
      teams.snsTopicArns = [...((teams.snsTopicArns as string[] | undefined) ?? []), this.topic.topicArn];
      this.teamsChannelConfiguration = teams;
    } else if (teams && 'channelConfigurationArn' in teams) {
      addTopicWhereDefined(this, 'Microsoft Teams', teams.channelConfigurationArn);
    } else if (teams) {
      // The resource's TeamsChannelId pattern (CloudFormation resource schema, AWS::Chatbot::MicrosoftTeamsChannelConfiguration).
      if (!/^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/.test(teams.teamsChannelId)) {
        throw new Error(
          `${scope.node.path}: notifications.teamsChannel.teamsChannelId must be the URL-encoded channel id from the channel's link (19%3a…%40thread.tacv2), got "${teams.teamsChannelId}"`,
        );
      }
      // aws-cdk-lib has no L2 for Teams: the channel role Chatbot assumes, with no permissions of its own
      // (the channel only shows notifications), as SlackChannelConfiguration makes for Slack.
      const role = new iam.Role(this, 'TeamsChannelRole', { assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com') });
      this.teamsChannelConfiguration = new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
        configurationName: uniqueConfigurationName(this, 'teams', teams.configurationName),
        teamId: teams.teamId,
        teamsChannelId: teams.teamsChannelId,
        teamsTenantId: teams.teamsTenantId,
        iamRoleArn: role.roleArn,
        snsTopicArns: [this.topic.topicArn],
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess').managedPolicyArn],
      });
    }
    // sns:Publish on this topic only, for the publishers only. An encrypted topic's publisher needs
    // kms:GenerateDataKey and kms:Decrypt on its key (Amazon SNS Developer Guide, "Encryption at rest":
    // key permissions of a publisher), only through SNS; the AWS managed key's policy already allows them through SNS.
    const topicKey = props.topic ? props.topic.masterKey : props.encryptionKey;
    for (const publisher of props.publishers) {
      publisher.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
      if (topicKey) grantKeyThrough(topicKey, publisher, 'sns');
      publisher.addEnvironment(NOTIFICATIONS.topicVariable, this.topic.topicArn);
      publisher.addEnvironment(NOTIFICATIONS.onVariable, JSON.stringify(this.on));
    }
  }
}

/**
 * A channel configuration's default name: configuration names are unique in an account across Regions
 * (AWS::Chatbot::SlackChannelConfiguration `ConfigurationName`), so the name holds the construct path, the
 * account and the Region — the same evaluator deployed to two Regions, or two evaluators, do not collide.
 * Letters, digits, `-` and `_`, at most 128 characters (the path is shortened from its start).
 */
function uniqueConfigurationName(scope: IConstruct, kind: 'slack' | 'teams', given: string | undefined): string {
  if (given !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(given)) throw new Error(`${scope.node.path}: notifications.${kind}Channel.configurationName must be 1–128 letters, digits, '-' or '_', got "${given}"`);
    return given;
  }
  const stack = Stack.of(scope);
  // 128 characters: the account's 12, a Region's at most 20, two hyphens; the path keeps its end.
  const path = `${scope.node.path}-${kind}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(-(128 - 12 - 20 - 2));
  return `${path}-${stack.account}-${stack.region}`;
}

/** A channel configuration defined elsewhere cannot be changed from this stack: say what to add, and where. */
function addTopicWhereDefined(notifications: EvaluatorNotifications, kind: string, channelConfigurationArn: string): void {
  Annotations.of(notifications).addInfo(
    `canary-evaluator notifications: add this evaluator's topic (EvaluatorNotifications.topic) to the SNS topics of the ${kind} channel configuration ${channelConfigurationArn} where it is defined; this stack does not change it`,
  );
}
