import { CodeDeployClient, GetApplicationRevisionCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CodeDeployDeploymentReader } from '../../lib/adapters/aws/codedeploy';
import { APPSPEC_YAML, DEPLOYMENT_INFO } from '../fixtures/codedeploy/events';

const codedeploy = mockClient(CodeDeployClient);
const s3 = mockClient(S3Client);
const s3Revision = { revisionType: 'S3' as const, s3Location: { bucket: 'releases', key: 'orders/appspec.yaml', bundleType: 'YAML' as const, version: 'v42' } };

beforeEach(() => {
  codedeploy.reset();
  s3.reset();
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...DEPLOYMENT_INFO, revision: s3Revision } });
});

describe('CodeDeployDeploymentReader with an AppSpec revision stored in S3', () => {
  test('reads the AppSpec object (that version) from S3, not from GetApplicationRevision, which returns only the location', async () => {
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => APPSPEC_YAML } } as never);
    const reader = new CodeDeployDeploymentReader(new CodeDeployClient({}), new S3Client({}));
    const deployment = await reader.readDeployment('d-A1B2C3D4E');
    expect(deployment.appSpecContent).toBe(APPSPEC_YAML);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'releases', Key: 'orders/appspec.yaml', VersionId: 'v42' });
    expect(codedeploy.commandCalls(GetApplicationRevisionCommand)).toHaveLength(0);
  });

  test('an unreadable object fails naming the object and the registration option that grants it', async () => {
    s3.on(GetObjectCommand).rejects(new Error('AccessDenied'));
    const reader = new CodeDeployDeploymentReader(new CodeDeployClient({}), new S3Client({}));
    await expect(reader.readDeployment('d-A1B2C3D4E')).rejects.toThrow(/s3:\/\/releases\/orders\/appspec\.yaml \(version v42\): AccessDenied\. Register the group with `revisionBucket`/);
  });

  test('a zip bundle is not a Lambda or ECS AppSpec', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...DEPLOYMENT_INFO, revision: { ...s3Revision, s3Location: { ...s3Revision.s3Location, bundleType: 'zip' } } } });
    const reader = new CodeDeployDeploymentReader(new CodeDeployClient({}), new S3Client({}));
    await expect(reader.readDeployment('d-A1B2C3D4E')).rejects.toThrow('is a zip bundle');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
