import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct, IConstruct } from 'constructs';
import { VERDICT_METRIC, VERDICT_NAMESPACE, type VerdictDimensions } from '../evaluation/verdict-metric';

/** What a Lambda and an ECS deployment group have in common, as far as the evaluator is concerned. */
export interface DeploymentGroupLike extends IConstruct {
  readonly application: { readonly applicationName: string; readonly applicationArn: string };
  readonly deploymentGroupName: string;
  readonly deploymentGroupArn: string;
}

/** CodeDeploy accepts at most 10 CloudWatch alarms per deployment group (CreateDeploymentGroup, `alarmConfiguration`). */
export const MAX_ALARMS_PER_DEPLOYMENT_GROUP = 10;

/**
 * What the verdict metrics of one registration are published for: a CodeDeploy deployment group, or the
 * dimensions that stand in for one (an ECS service on a native strategy: cluster and service labels).
 */
export type VerdictSubject = DeploymentGroupLike | VerdictDimensions;

/** The verdict metric of one deployment group (see `lib/evaluation/verdict-metric.ts`). */
export function verdictMetric(subject: VerdictSubject, metricName: string, statistic: string, period = Duration.minutes(1)): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: VERDICT_NAMESPACE,
    metricName,
    dimensionsMap: { ...verdictDimensions(subject) },
    statistic,
    period,
  });
}

/** The dimensions every verdict metric of a deployment group carries (the verdict sink publishes the same). */
export function verdictDimensions(subject: VerdictSubject): VerdictDimensions {
  if ('ApplicationName' in subject) return { ApplicationName: subject.ApplicationName, DeploymentGroupName: subject.DeploymentGroupName };
  return { ApplicationName: subject.application.applicationName, DeploymentGroupName: subject.deploymentGroupName };
}

/** CloudWatch alarm names are at most 255 characters (CloudWatch API Reference, PutMetricAlarm `AlarmName`). */
export const MAX_ALARM_NAME_LENGTH = 255;

/** Unique in the account and Region: the stack name and the registration's path, within 255 characters. */
export function verdictAlarmName(scope: Construct): string {
  const prefix = `${Stack.of(scope).stackName}-`;
  const suffix = '-VerdictFailed';
  // A stack name is at most 128 characters, so at least 112 remain for the path (truncated with a hash).
  const room = Math.min(180, MAX_ALARM_NAME_LENGTH - prefix.length - suffix.length);
  return `${prefix}${Names.uniqueResourceName(scope, { maxLength: room })}${suffix}`;
}

/**
 * The alarm CodeDeploy (or ECS, for a native strategy) watches during the traffic shift, when no hook
 * runs: it goes to ALARM on the first failing verdict of the running evaluation, and the deployment
 * stops and rolls back. `who` names the service that acts on it.
 */
export function createVerdictAlarm(scope: Construct, id: string, subject: VerdictSubject, who = 'CodeDeploy'): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    // A literal name: the group lists the alarm by name and the alarm's dimensions name the group, so
    // a generated (referenced) alarm name would make a circular dependency.
    alarmName: verdictAlarmName(scope),
    alarmDescription: `canary-evaluator: the running evaluation of ${verdictDimensions(subject).DeploymentGroupName} found a regression; ${who} stops and rolls back the deployment`,
    metric: verdictMetric(subject, VERDICT_METRIC.failed, cloudwatch.Stats.MAXIMUM),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // `VerdictFailed` is published only while an evaluation runs. Missing data is therefore "no
    // evaluation running", not "unknown": the alarm returns to OK by itself a minute after a failed
    // evaluation ends. CodeDeploy stops a deployment whose alarm is already in ALARM when it starts,
    // so an alarm that stayed in ALARM (or INSUFFICIENT_DATA treated as breaching) would block the fix
    // that follows a rollback.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The construct CodeDeploy's alarm list is rendered into, if the group is one this app defines. */
function alarmConfigurationOf(group: IConstruct): { alarms?: unknown[] } | undefined {
  const resource = group.node.defaultChild as { alarmConfiguration?: unknown } | undefined;
  if (!resource || !('alarmConfiguration' in resource)) return undefined;
  return Stack.of(group).resolve(resource.alarmConfiguration) as { alarms?: unknown[] } | undefined;
}

/**
 * Fails synthesis when the group ends up with more alarms than CodeDeploy accepts. It runs at synth
 * time, so alarms added to the group after registration count too. Imported groups cannot be checked.
 */
export function validateAlarmLimit(group: DeploymentGroupLike, limit = MAX_ALARMS_PER_DEPLOYMENT_GROUP): void {
  group.node.addValidation({
    validate: () => {
      const count = alarmConfigurationOf(group)?.alarms?.length ?? 0;
      if (count <= limit) return [];
      return [
        `deployment group ${group.node.path} has ${count} CloudWatch alarms, including canary-evaluator's verdict alarm; CodeDeploy accepts at most ${limit}. ` +
          'Combine some of them into a cloudwatch.CompositeAlarm, or register the group with `verdictAlarm: false` and include `verdictAlarm` of the registration in a composite alarm yourself.',
      ];
    },
  });
}
