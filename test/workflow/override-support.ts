import { signRequest, type AwsCredentials } from '../../lib/adapters/telemetry/sigv4';
import { signedCallerIdentityRequest } from '../../lib/adapters/aws/sts-identity';
import type { IdentityVerifier } from '../../lib/evaluation/override/look';
import { OVERRIDES, overrideBinding, type IdentityProof, type OverrideRecord } from '../../lib/evaluation/override/record';

/** What the break-glass tests through the local state machine share (CodeDeploy hooks and ECS native stages). */
export const ON_CALL: AwsCredentials = { accessKeyId: 'AKIAONCALLEXAMPLE', secretAccessKey: 'on-call-secret' };
export const ON_CALL_ARN = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';

/**
 * STS as far as a proof needs it: the signature recomputed with the key's secret must match (so a
 * changed signed header fails), and the request must arrive within five minutes of its date (IAM User
 * Guide, "Create a signed AWS API request": "a request must reach AWS within five minutes").
 */
export function simulatedSts(now: () => Date, secrets: Record<string, { credentials: AwsCredentials; arn: string }> = { [ON_CALL.accessKeyId]: { credentials: ON_CALL, arn: ON_CALL_ARN } }): IdentityVerifier {
  return {
    verify: async (proof: IdentityProof) => {
      const keyId = /Credential=([^/]+)\//.exec(proof.headers.authorization)?.[1] ?? '';
      const known = secrets[keyId];
      if (!known) throw new Error('HTTP 403 InvalidClientTokenId');
      const amzDate = proof.headers['x-amz-date'];
      const signedAt = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
      if (Math.abs(now().getTime() - signedAt.getTime()) > 5 * 60_000) throw new Error('HTTP 403 SignatureDoesNotMatch: Signature expired');
      const { 'content-type': contentType, [OVERRIDES.bindingHeader]: binding } = proof.headers;
      const again = signRequest({ method: 'POST', url: new URL(proof.url), headers: { 'content-type': contentType, [OVERRIDES.bindingHeader]: binding }, body: Buffer.from(proof.body) }, 'sts', 'us-east-1', known.credentials, signedAt);
      if (again.authorization !== proof.headers.authorization) throw new Error('HTTP 403 SignatureDoesNotMatch');
      return known.arn;
    },
  };
}

/** The record `canary-eval override` writes for `content`, signed by on call at `writtenAt` (then `tamper`ed, if given). */
export function signedOverrideRecord(content: Pick<OverrideRecord, 'deploymentId' | 'lifecycleEvent' | 'action' | 'reason'>, writtenAt: Date, tamper?: (record: OverrideRecord) => OverrideRecord): OverrideRecord {
  const signed = { ...content, requestedAt: writtenAt.toISOString() };
  const proof = signedCallerIdentityRequest(ON_CALL, 'us-east-1', overrideBinding(signed), writtenAt);
  const written = { ...signed, callerArn: ON_CALL_ARN, proof };
  return tamper ? tamper(written) : written;
}
