/**
 * cfn-guard findings (`@cdklabs/cdk-validator-cfnguard`, the AWS Control Tower proactive controls) that
 * the evaluator and the apps around it accept, each with its reason: one table. `evaluator` rows are
 * about the resources this library creates (under the `CanaryEvaluator` construct, its registrations
 * included); `service` rows about the demo app's service and the all-options test app (what a user
 * brings: the function, the ECS service, the load balancer, the VPC, a key, a bucket). A finding not in
 * this table fails test/constructs/cfn-guard.test.ts: fix it, or add it here with a reason.
 * Rule names are cfn-guard's; the control ids (CT.…) are in each rule's description.
 */
export type GuardOwner = 'evaluator' | 'service';

export interface GuardAcknowledgement {
  readonly rule: string;
  readonly owner: GuardOwner;
  readonly reason: string;
}

export const GUARD_ACKNOWLEDGEMENTS: readonly GuardAcknowledgement[] = [
  // The evaluator's own resources.
  {
    rule: 'cloudwatch_alarm_action_check',
    owner: 'evaluator',
    reason:
      "CT.CLOUDWATCH.PR.1: the verdict alarms act through the deployment group's alarm configuration (CodeDeploy stops and rolls back), not an alarm action; the health alarms take `healthAlarmAction`, which the demo leaves unset (there is no one to page)",
  },
  {
    rule: 'cloudwatch_log_group_retention_period_check',
    owner: 'evaluator',
    reason: 'CT.CLOUDWATCH.PR.2 wants a year or more: the evaluator keeps its logs for `logRetention` (default one month), a cost its users choose',
  },
  {
    rule: 'cloudwatch_log_group_encrypted_check',
    owner: 'evaluator',
    reason: 'CT.CLOUDWATCH.PR.3: log groups are encrypted with `encryptionKey` when one is given (the all-options app passes); without it, CloudWatch Logs encrypts them with its own key',
  },
  {
    rule: 'lambda_inside_vpc_check',
    owner: 'evaluator',
    reason:
      'CT.LAMBDA.PR.3: the evaluator calls only AWS APIs (no VPC resource to reach), so a VPC would only add NAT or endpoint cost; the smoke-test function, the one that calls the service, goes into a VPC with `smokeTestVpc`',
  },
  {
    rule: 'sqs_dlq_check',
    owner: 'evaluator',
    reason: "CT.SQS.PR.1: the queue is itself the hooks' dead-letter queue; a dead-letter queue of a dead-letter queue has nothing left to redrive (its alarm pages instead)",
  },
  // The report bucket (one HTML report per evaluation, lib/constructs/report-bucket.ts).
  {
    rule: 's3_bucket_default_encryption_kms_check',
    owner: 'evaluator',
    reason: 'CT.S3.PR.10: the bucket uses SSE-KMS with `encryptionKey` when one is given (the all-options app passes); without it, S3-managed keys (SSE-S3)',
  },
  { rule: 's3_bucket_versioning_enabled_check', owner: 'evaluator', reason: 'CT.S3.PR.2: each report is written once under its own key and expires by lifecycle; versions would keep expired reports' },
  { rule: 's3_bucket_logging_enabled_check', owner: 'evaluator', reason: 'CT.S3.PR.4: access logs would need a second bucket for a few reads a day; CloudTrail data events record access where an account wants them' },
  { rule: 's3_event_notifications_enabled_check', owner: 'evaluator', reason: 'CT.S3.PR.3: nothing reacts to a stored report; the verdict event on EventBridge already announces it with its URL' },
  { rule: 's3_bucket_object_lock_enabled_check', owner: 'evaluator', reason: 'CT.S3.PR.5: reports expire by lifecycle; object lock would keep them past their expiry' },
  // The service the evaluator protects, in the demo app and the all-options test app.
  { rule: 'alb_http_drop_invalid_header_enabled_check', owner: 'service', reason: "CT.ELASTICLOADBALANCING.PR.4: the demo's load balancer keeps ELB defaults; a production service sets its own" },
  { rule: 'alb_http_to_https_redirection_check', owner: 'service', reason: 'CT.ELASTICLOADBALANCING.PR.1: the demo listeners are HTTP (no domain, no certificate offline)' },
  { rule: 'elbv2_deletion_protection_enabled_check', owner: 'service', reason: 'CT.ELASTICLOADBALANCING.PR.5: the demo stack must be destroyable with `cdk destroy`' },
  { rule: 'elbv2_logging_enabled_check', owner: 'service', reason: 'CT.ELASTICLOADBALANCING.PR.6: no access-log bucket in the demo; the evaluator reads CloudWatch metrics, not access logs' },
  { rule: 'ecs_containers_readonly_access_check', owner: 'service', reason: "CT.ECS.PR.6: the demo's nginx image writes its cache and pid file on the root file system" },
  { rule: 'ecs_service_assign_public_ip_disabled_check', owner: 'service', reason: 'CT.ECS.PR.9: the demo VPC has public subnets only (no NAT gateway, to stay free): tasks need a public IP to pull the image' },
  { rule: 'ecs_task_definition_memory_hard_limit_check', owner: 'service', reason: "CT.ECS.PR.7: the demo's container uses the task's memory" },
  { rule: 'ecs_task_definition_nonroot_user_check', owner: 'service', reason: "CT.ECS.PR.3: the demo's nginx image starts as root to listen on port 80" },
  { rule: 'lambda_inside_vpc_check', owner: 'service', reason: "CT.LAMBDA.PR.3: the demo's orders function reaches nothing in a VPC" },
  { rule: 'cloudwatch_log_group_encrypted_check', owner: 'service', reason: "CT.CLOUDWATCH.PR.3: the demo's ECS log group uses CloudWatch Logs' own encryption" },
  { rule: 'cloudwatch_log_group_retention_period_check', owner: 'service', reason: "CT.CLOUDWATCH.PR.2: the demo's ECS logs are kept a week (a demo)" },
  { rule: 'subnet_auto_assign_public_ip_disabled_check', owner: 'service', reason: 'CT.EC2.PR.11: public subnets by design (no NAT gateway in the demo)' },
  { rule: 'vpc_sg_open_only_to_authorized_ports_check', owner: 'service', reason: "CT.EC2.PR.3: the demo's internet-facing load balancer is open on its listener ports" },
  { rule: 'vpc_sg_restricted_common_ports_check', owner: 'service', reason: "CT.EC2.PR.4: the demo's load balancer listens on port 80 (production and test listeners)" },
  { rule: 'kms_create_grant_aws_service_check', owner: 'service', reason: "CT.KMS.PR.3: the all-options test app's key keeps CDK's default key policy (the account root statement)" },
  ...[
    's3_bucket_acl_prohibited_check',
    's3_bucket_default_encryption_kms_check',
    's3_bucket_level_public_access_prohibited_check',
    's3_bucket_logging_enabled_check',
    's3_bucket_object_lock_enabled_check',
    's3_bucket_versioning_enabled_check',
    's3_event_notifications_enabled_check',
    's3_lifecycle_policy_check',
    's3_version_lifecycle_policy_check',
  ].map((rule) => ({ rule, owner: 'service' as const, reason: "CT.S3: the all-options test app's revision bucket is a placeholder with `enforceSSL` only; the evaluator only reads revisions from it" })),
];
