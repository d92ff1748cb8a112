import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CHANGE_FAILURES_STORE } from '../evaluation/change-failures/track';
import { PUBLICATION_LEDGER, REPORT_STORE } from '../evaluation/contracts';
import { ECS_HOOK_STATUS_STORE } from '../evaluation/ecs-native/contract';
import { OVERRIDES } from '../evaluation/override/record';
import { requireSupportedAwsCdkLib } from './peer-version';
import { grantKeyThrough } from './service-authorization';
import { acknowledgeWildcardResources } from './nag-acknowledgements';

/** Why each prefix's objects are named at run time (cdk-nag AwsSolutions-IAM5 on `<bucket>/<prefix>*`). */
const PREFIX_REASONS = {
  [REPORT_STORE.prefix]: "One report object per deployment and lifecycle event, named at run time: writes are limited to the reports/ prefix of the evaluator's own bucket",
  [PUBLICATION_LEDGER.prefix]: "The publication ledger's markers and pending records, one set per verdict, named at run time: limited to the publications/ prefix of the evaluator's own bucket",
  [OVERRIDES.prefix]: "One override record per hook, named at run time: read-only, limited to the overrides/ prefix of the evaluator's own bucket",
  [CHANGE_FAILURES_STORE.prefix]: "Each deployment group's last promotion and one marker per escaped change failure, named at run time: limited to the change-failures/ prefix of the evaluator's own bucket",
  [ECS_HOOK_STATUS_STORE.prefix]: "One ECS native hook status per deployment, stage and step, named at run time: limited to the ecs-native/hook-status/ prefix of the evaluator's own bucket",
} as const;

/** What becomes of the reports when the evaluator's stack is destroyed. */
export interface ReportTeardownProps {
  /**
   * Empties the report bucket when it is deleted with the stack (`s3.Bucket` `autoDeleteObjects`: a custom
   * resource deletes every object first), for test and short-lived stacks. Without it, destroying a stack
   * whose bucket holds reports fails at the bucket (CloudFormation deletes only empty buckets).
   * @default false
   */
  readonly autoDeleteReports?: boolean;
}

export interface ReportBucketProps extends ReportTeardownProps {
  /** Encrypts the reports with the evaluator's key. @default - S3-managed encryption */
  readonly encryptionKey?: kms.IKey;
  /** How long a report is kept. @default Duration.days(90) */
  readonly expiry?: Duration;
}

/**
 * The evaluator's report bucket (one HTML report per evaluation, and the publication ledger under
 * `publications/`): public access blocked, encrypted, TLS only (`enforceSSL`: Amazon S3 User Guide,
 * "Enforce encryption of data in transit"), reports and ledger objects expire.
 */
export class ReportBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ReportBucketProps = {},
  ) {
    super(scope, id);
    requireSupportedAwsCdkLib(this);
    const key = props.encryptionKey;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      ...(key ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { expiration: props.expiry ?? Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Overlapping expirations: the shorter is honored (Amazon S3 User Guide, "How Amazon S3 handles conflicts in lifecycle configurations").
        { id: 'PublicationLedger', prefix: PUBLICATION_LEDGER.prefix, expiration: Duration.days(PUBLICATION_LEDGER.expiryDays) },
        // ECS native hook statuses (issue 27): read by the hook until its stage is answered; kept as long as the ledger.
        { id: 'EcsNativeHookStatuses', prefix: ECS_HOOK_STATUS_STORE.prefix, expiration: Duration.days(PUBLICATION_LEDGER.expiryDays) },
      ],
      // Reports are derived data: they go with the evaluator.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: props.autoDeleteReports ?? false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Only the evaluator writes here (IAM: s3:PutObject under reports/); access to the reports is logged by CloudTrail data events if the account enables them',
    });
  }

  /** An ECS native hook function's access to the hook statuses (`grantEcsHookStatuses`), and the bucket's name in its environment. */
  grantEcsHookStatuses(fn: iam.IGrantable & { addEnvironment(key: string, value: string): unknown }): void {
    grantEcsHookStatuses(this.bucket, fn, this.props.encryptionKey);
    fn.addEnvironment(REPORT_STORE.bucketVariable, this.bucket.bucketName);
  }

  /**
   * The report function's access: `s3:PutObject` under the reports prefix only; read, create and delete
   * under the publication ledger's prefix, and list that prefix only (`s3:prefix` condition); read, write
   * and list under `change-failures/` (each group's last promotion, the escape markers). With the
   * evaluator's key: its data keys, and decryption of what the ledger reads back, through S3 only.
   */
  grantReportFunction(fn: iam.IGrantable & { addEnvironment(key: string, value: string): unknown }): void {
    const ledger = `${PUBLICATION_LEDGER.prefix}*`;
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_STORE.prefix}*`)] }));
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects(ledger)] }));
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ledger } } }));
    // The last promotion of each group and the escape markers (lib/evaluation/change-failures): read, written and listed, never deleted.
    const changeFailures = `${CHANGE_FAILURES_STORE.prefix}*`;
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(changeFailures)] }));
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': changeFailures } } }));
    // ECS native evaluations record their hook status here (`PlatformHookReporter`), created once, read back when already recorded.
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(`${ECS_HOOK_STATUS_STORE.prefix}*`)] }));
    if (this.props.encryptionKey) grantKeyThrough(this.props.encryptionKey, fn, 's3');
    fn.addEnvironment(REPORT_STORE.bucketVariable, this.bucket.bucketName);
    this.acknowledgePrefixes(fn.grantPrincipal, [REPORT_STORE.prefix, PUBLICATION_LEDGER.prefix, CHANGE_FAILURES_STORE.prefix, ECS_HOOK_STATUS_STORE.prefix]);
  }

  /**
   * The looks that honour overrides (evaluate, watch): `s3:GetObject` under `overrides/`, and
   * `s3:ListBucket` of that prefix only, so a missing record is 404 NoSuchKey rather than 403 (Amazon S3
   * API Reference, GetObject: "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP
   * status code 403"). With the evaluator's key: decryption through S3.
   */
  grantOverrideReader(fn: iam.IGrantable): void {
    const records = `${OVERRIDES.prefix}*`;
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(records)] }));
    fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': records } } }));
    if (this.props.encryptionKey) grantKeyThrough(this.props.encryptionKey, fn, 's3');
    this.acknowledgePrefixes(fn.grantPrincipal, [OVERRIDES.prefix]);
  }

  /**
   * On call's break-glass permission (`canary-eval override`): create an override record under
   * `overrides/`, nothing else in the bucket (no read, no delete: a record cannot be taken back or
   * rewritten, the conditional write refuses a second one). With the evaluator's key: its data keys, through S3.
   */
  grantOverrideWriter(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [this.bucket.arnForObjects(`${OVERRIDES.prefix}*`)] });
    if (this.props.encryptionKey) this.props.encryptionKey.grant(grantee, 'kms:GenerateDataKey');
    return grant;
  }

  /** cdk-nag's wildcard finding on each prefix this principal's policy names, acknowledged with why. */
  private acknowledgePrefixes(principal: iam.IPrincipal, prefixes: ReadonlyArray<keyof typeof PREFIX_REASONS>): void {
    const policy = principal instanceof iam.Role ? principal.node.tryFindChild('DefaultPolicy') : undefined;
    if (!policy) return;
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const prefix of prefixes) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`, reason: PREFIX_REASONS[prefix] });
  }
}

/**
 * An ECS native hook function's access (issue 27): it reads the status its evaluation recorded and, when
 * the hook's deadline comes first, records its own (created once): `s3:GetObject` and `s3:PutObject`
 * under `ecs-native/hook-status/` of the evaluator's report bucket only, nothing else in the bucket. With
 * the evaluator's key, through S3 only. A bucket of another stack works too (`registerEcsService` through
 * an imported evaluator).
 */
export function grantEcsHookStatuses(bucket: s3.IBucket, fn: iam.IGrantable, key?: kms.IKey): void {
  const statuses = bucket.arnForObjects(`${ECS_HOOK_STATUS_STORE.prefix}*`);
  fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [statuses] }));
  acknowledgeWildcardResources(fn, [statuses], `one hook status object per evaluation, named at run time: limited to the ${ECS_HOOK_STATUS_STORE.prefix} prefix of the evaluator's report bucket`);
  if (key) grantKeyThrough(key, fn, 's3');
}
