import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CanaryEvaluator, EvaluatorNotifications } from '../../lib/constructs';
import { ENV, noBundlingApp } from './support/all-options-stack';

const policy = { metrics: [{ preset: 'lambda-error-rate' as const }] };
const slackChannel = { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' };

function lambdaGroup(stack: Stack, id = 'Service') {
  const fn = new lambda.Function(stack, `${id}Fn`, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  const alias = new lambda.Alias(stack, `${id}Alias`, { aliasName: 'live', version: fn.currentVersion });
  return { alias, group: new codedeploy.LambdaDeploymentGroup(stack, `${id}Group`, { alias }) };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((resource) => JSON.stringify(resource.Properties.Roles).includes(rolePrefix))
    .flatMap((resource) => resource.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());
// Functions that never notify.
const FUNCTIONS = ['EvaluatorPrepare', 'EvaluatorEvaluate', 'EvaluatorSmoke'];

describe('notifications', () => {
  test('a topic it creates: TLS only, AWS managed SNS key; only the report and watch functions may publish, to it only', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { notifications: {} });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    // The AWS managed key's policy lets account principals use it through SNS: no key grant is needed.
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':kms:us-east-1:123456789012:alias/aws/sns'])] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The report function for accepted verdicts, the watch function for a failed canary watch.
    for (const publisher of ['EvaluatorReport', 'EvaluatorWatch']) {
      const publishes = statementsOf(template, publisher).filter((statement) => actionsOf([statement]).includes('sns:Publish'));
      expect(publishes).toEqual([expect.objectContaining({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^EvaluatorNotificationsTopic/) } })]);
    }
    for (const fn of FUNCTIONS) expect(actionsOf(statementsOf(template, fn))).not.toContain('sns:Publish');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NOTIFICATION_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^EvaluatorNotificationsTopic') }, NOTIFY_ON: '["rollback","inconclusive"]' }) },
    });
    expect(EvaluatorNotifications.of(evaluator)?.topic).toBeDefined();
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    // The publish Task gives the report function what the message names: the execution input (target, switches) and ARN.
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"mode\\":\\"publish\\",\\"event.$\\":\\"$.report.event\\",\\"execution.$\\":\\"$$.Execution.Input\\",\\"executionArn.$\\":\\"$$.Execution.Id\\"');
  });

  test('with the evaluator key: the topic uses it and the report function may use the key to publish', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    new CanaryEvaluator(stack, 'Evaluator', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), notifications: { on: 'every-verdict' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    const keyUse = statementsOf(template, 'EvaluatorReport').filter((statement) => actionsOf([statement]).includes('kms:GenerateDataKey') && actionsOf([statement]).includes('kms:Decrypt'));
    // The key through SNS for the topic, through S3 for the report bucket: each only through its service.
    const via = (service: string) => ({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] }, Condition: { StringEquals: { 'kms:ViaService': `${service}.us-east-1.amazonaws.com` } } });
    expect(keyUse).toEqual(expect.arrayContaining([via('sns'), via('s3')]));
    expect(keyUse).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ NOTIFY_ON: '"every-verdict"' }) } });
  });

  test('a Slack channel: a channel configuration subscribed to the topic, read-only guardrail', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^EvaluatorNotificationsTopic') }],
      GuardrailPolicies: [{ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/ReadOnlyAccess'])] }],
    });
  });

  test('a Microsoft Teams channel: a channel configuration subscribed to the topic, read-only guardrail, a role only Chatbot assumes with no permissions', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', {
      notifications: { teamsChannel: { teamId: '5f0c2e9a-1111-4222-8333-944455556666', teamsChannelId: '19%3aabc%40thread.tacv2', teamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666' } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      ConfigurationName: Match.stringLikeRegexp('^[A-Za-z0-9_-]{1,128}$'),
      TeamId: '5f0c2e9a-1111-4222-8333-944455556666',
      TeamsChannelId: '19%3aabc%40thread.tacv2',
      TeamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^EvaluatorNotificationsTopic') }],
      GuardrailPolicies: [{ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/ReadOnlyAccess'])] }],
      IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EvaluatorNotificationsTeamsChannelRole'), 'Arn'] },
    });
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(1);
    const [roleId] = Object.keys(roles);
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    expect(Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))).toEqual([]);
    expect(EvaluatorNotifications.of(evaluator)?.teamsChannelConfiguration).toBeDefined();
  });

  test('a Teams channel id not URL-encoded (as CloudFormation would reject) is refused at synth, saying what to give', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    expect(
      () => new CanaryEvaluator(stack, 'Evaluator', { notifications: { teamsChannel: { teamId: '5f0c2e9a-1111-4222-8333-944455556666', teamsChannelId: '19:abc@thread.tacv2', teamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666' } } }),
    ).toThrow('Test/Evaluator: notifications.teamsChannel.teamsChannelId must be the URL-encoded channel id from the channel\'s link (19%3a…%40thread.tacv2), got "19:abc@thread.tacv2"');
  });

  test('a given topic: used as is, granted to the report function; no new topic', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    const topic = new sns.Topic(stack, 'OnCall', { enforceSSL: true });
    new CanaryEvaluator(stack, 'Evaluator', { notifications: { topic, slackChannel } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const publishes = statementsOf(template, 'EvaluatorReport').filter((statement) => actionsOf([statement]).includes('sns:Publish'));
    expect(publishes).toEqual([expect.objectContaining({ Resource: { Ref: expect.stringMatching(/^OnCall/) } })]);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^OnCall') }] });
  });

  test('a registration says when it notifies: its switches carry `notify`; a bad `on` fails synth naming it', () => {
    const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { notifications: {} });
    const chatty = lambdaGroup(stack, 'Chatty');
    evaluator.registerLambdaDeploymentGroup(chatty.group, { policy, alias: chatty.alias, notifications: { on: 'every-verdict' } });
    const quiet = lambdaGroup(stack, 'Quiet');
    evaluator.registerLambdaDeploymentGroup(quiet.group, { policy, alias: quiet.alias });
    const switches = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .map((resource) => resource.Properties.Environment?.Variables?.REPORT_SWITCHES as string | undefined)
      .filter((value): value is string => value !== undefined)
      .map((value) => JSON.parse(value) as { notify?: unknown });
    expect(switches.filter((value) => value.notify === 'every-verdict')).toHaveLength(2); // pre- and post-traffic hooks
    expect(switches.filter((value) => value.notify === undefined)).toHaveLength(2);
    const bad = lambdaGroup(stack, 'Bad');
    expect(() => evaluator.registerLambdaDeploymentGroup(bad.group, { policy, alias: bad.alias, notifications: { on: ['rollbacks' as 'rollback'] } })).toThrow(
      'Test/BadGroup: notifications.on: expected "every-verdict" or a list of "rollback", "inconclusive", got ["rollbacks"]',
    );
    expect(() => new CanaryEvaluator(stack, 'Other', { notifications: { on: 'always' as 'every-verdict' } })).toThrow('Test/Other: notifications.on: expected "every-verdict"');
  });

  // Issue 24 finding 2: configuration names are unique in an account across Regions, and a Slack channel takes one configuration per account.
  describe('channel configurations that deploy next to others', () => {
    const teamsChannel = { teamId: '5f0c2e9a-1111-4222-8333-944455556666', teamsChannelId: '19%3aabc%40thread.tacv2', teamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666' };
    const namesIn = (region: string) => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env: { account: ENV.account, region } });
      new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel, teamsChannel } });
      const template = Template.fromStack(stack);
      return [
        Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0].Properties.ConfigurationName as string,
        Object.values(template.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration'))[0].Properties.ConfigurationName as string,
      ];
    };

    test('default names carry the account and the Region: the same stack in two Regions does not collide', () => {
      const east = namesIn('us-east-1');
      const west = namesIn('eu-west-1');
      for (const name of [...east, ...west]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
      expect(east[0]).toMatch(/-slack-123456789012-us-east-1$/);
      expect(west[1]).toMatch(/-teams-123456789012-eu-west-1$/);
      expect(new Set([...east, ...west]).size).toBe(4);
    });

    test('a long construct path keeps the account and Region within 128 characters', () => {
      const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
      new CanaryEvaluator(stack, `Evaluator${'X'.repeat(150)}`, { notifications: { slackChannel } });
      const name = Object.values(Template.fromStack(stack).findResources('AWS::Chatbot::SlackChannelConfiguration'))[0].Properties.ConfigurationName as string;
      expect(name.length).toBeLessThanOrEqual(128);
      expect(name).toMatch(/-slack-123456789012-us-east-1$/);
    });

    test('an environment-agnostic stack names them at deploy time', () => {
      const stack = new Stack(noBundlingApp(), 'Agnostic');
      new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel } });
      const name = Object.values(Template.fromStack(stack).findResources('AWS::Chatbot::SlackChannelConfiguration'))[0].Properties.ConfigurationName;
      expect(JSON.stringify(name)).toContain('"Ref":"AWS::AccountId"');
      expect(JSON.stringify(name)).toContain('"Ref":"AWS::Region"');
    });

    test('a name Chatbot would refuse fails synth, naming the option', () => {
      const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
      expect(() => new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel: { ...slackChannel, configurationName: 'orders alerts' } } })).toThrow(
        `Test/Evaluator/Notifications: notifications.slackChannel.configurationName must be 1–128 letters, digits, '-' or '_', got "orders alerts"`,
      );
    });

    test("the channel's existing configuration of this app is subscribed to the topic; none is created", () => {
      const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
      const existingSlack = new chatbot.SlackChannelConfiguration(stack, 'TeamChannel', { slackChannelConfigurationName: 'orders-team', ...slackChannel });
      const existingTeams = new chatbot.CfnMicrosoftTeamsChannelConfiguration(stack, 'TeamsChannel', {
        configurationName: 'orders-team-teams',
        ...teamsChannel,
        iamRoleArn: 'arn:aws:iam::123456789012:role/chatbot',
        snsTopicArns: ['arn:aws:sns:us-east-1:123456789012:other'],
      });
      new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel: existingSlack, teamsChannel: existingTeams } });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
      template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 1);
      const topic = { Ref: Match.stringLikeRegexp('^EvaluatorNotificationsTopic') };
      template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { ConfigurationName: 'orders-team', SnsTopicArns: [topic] });
      template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', { ConfigurationName: 'orders-team-teams', SnsTopicArns: ['arn:aws:sns:us-east-1:123456789012:other', topic] });
    });

    test('a configuration defined elsewhere, by ARN: none is created, and synth says to add the topic there', () => {
      const stack = new Stack(noBundlingApp(), 'Test', { env: ENV });
      const channelConfigurationArn = 'arn:aws:chatbot::123456789012:chat-configuration/slack-channel/orders-team';
      new CanaryEvaluator(stack, 'Evaluator', { notifications: { slackChannel: { channelConfigurationArn } } });
      Template.fromStack(stack).resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
      expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp(`Slack channel configuration ${channelConfigurationArn} where it is defined`))).toHaveLength(1);
    });
  });
});
