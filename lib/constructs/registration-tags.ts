import { Annotations, CfnResource, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { REGISTRATION_TAG_KEY } from './grants';
import { acknowledgeWildcardResources } from './nag-acknowledgements';

/**
 * How a registration marks what the evaluator may act on (attribute-based access control, see
 * lib/constructs/grants.ts): its deployment group and Lambda function by a CloudFormation tag, its
 * policy object by an S3 object tag.
 */

/**
 * Tags `resource` (a deployment group or Lambda function of this app) `canary-evaluator=<tagValue>`.
 * An imported one has no template here to tag: the registration warns, naming the tag to add where
 * the resource is defined and what the evaluator cannot do without it.
 */
export function tagForEvaluator(resource: IConstruct, cfnType: string, tagValue: string, withoutTag: string): void {
  const defaultChild = resource.node.defaultChild;
  if (defaultChild instanceof CfnResource && defaultChild.cfnResourceType === cfnType) {
    Tags.of(resource).add(REGISTRATION_TAG_KEY, tagValue, { includeResourceTypes: [cfnType] });
    return;
  }
  Annotations.of(resource).addWarningV2(
    'canary-evaluator:untaggedResource',
    `${resource.node.path} is imported, so its registration cannot tag it: tag it ${REGISTRATION_TAG_KEY}=${tagValue} where it is defined, or the evaluator cannot ${withoutTag}`,
  );
}

const TAGGER_ID = 'CanaryEvaluatorPolicyTagger';

/**
 * One role and log group per stack for the custom resources that tag policy objects: `s3:PutObjectTagging`
 * on the objects of the stack's asset bucket, written once however many registrations the stack has.
 */
class PolicyObjectTagger extends Construct {
  static of(scope: IConstruct, assetBucketName: string, encryptionKey?: kms.IKey): PolicyObjectTagger {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(TAGGER_ID);
    const tagger = existing instanceof PolicyObjectTagger ? existing : new PolicyObjectTagger(stack, TAGGER_ID, encryptionKey);
    // The same statement for every registration of the stack: CDK keeps one copy in the policy.
    const assetObjects = `arn:${stack.partition}:s3:::${assetBucketName}/*`;
    tagger.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObjectTagging'], resources: [assetObjects] }));
    acknowledgeWildcardResources(tagger.role, [assetObjects], "policy objects are CDK assets, named by their content hash: the tag call is limited to the stack's asset bucket");
    return tagger;
  }

  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  private constructor(scope: Construct, id: string, encryptionKey?: kms.IKey) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'canary-evaluator: tags registered policy objects' });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey, removalPolicy: RemovalPolicy.DESTROY });
    this.logGroup.grantWrite(this.role);
  }
}

/**
 * Tags the registration's policy object (a CDK asset, uploaded before the stack deploys) with the
 * evaluator's registration tag: S3 object tags are set by the PutObjectTagging API only (Amazon S3 User
 * Guide, "Categorizing your storage using tags"), which a custom resource calls on create and on each
 * new policy. `GetObject` is then allowed by the object's tag (`s3:ExistingObjectTag/canary-evaluator`).
 * PutObjectTagging replaces the object's tag set; the asset's key is unique per policy and evaluator
 * (see `policyAssetHash`), so no other registration's tag is overwritten.
 */
export function tagPolicyObject(scope: Construct, asset: Asset, tagValue: string, encryptionKey?: kms.IKey): cr.AwsCustomResource {
  const tagger = PolicyObjectTagger.of(scope, asset.s3BucketName, encryptionKey);
  const call: cr.AwsSdkCall = {
    service: 'S3',
    action: 'putObjectTagging',
    parameters: { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey, Tagging: { TagSet: [{ Key: REGISTRATION_TAG_KEY, Value: tagValue }] } },
    physicalResourceId: cr.PhysicalResourceId.of(`${asset.s3BucketName}/${asset.s3ObjectKey}`),
  };
  const tagging = new cr.AwsCustomResource(scope, 'TagPolicyObject', {
    onUpdate: call,
    role: tagger.role,
    logGroup: tagger.logGroup,
    installLatestAwsSdk: false,
    memorySize: 256,
  });
  acknowledgeProviderFindings(Stack.of(scope));
  return tagging;
}

/** cdk-nag findings on the stack's AwsCustomResource provider function (one per stack, created by CDK). */
function acknowledgeProviderFindings(stack: Stack): void {
  const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!provider) return;
  Validations.of(provider).acknowledge(
    { id: 'Serverless-LambdaDLQ', reason: 'The AwsCustomResource provider answers CloudFormation, which fails the deployment on an error; nothing would read a dead-letter queue' },
    { id: 'Serverless-LambdaTracing', reason: 'The AwsCustomResource provider makes one SDK call per deployment (tagging a policy object); a trace would show only that call' },
  );
}
