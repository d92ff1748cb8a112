import type { IdentityVerifier } from '../../evaluation/override/look';
import { OVERRIDES, type IdentityProof } from '../../evaluation/override/record';
import { signRequest, type AwsCredentials } from '../telemetry/sigv4';

/**
 * STS `GetCallerIdentity` over the Query API, signed here with the repository's SigV4 signer (no STS
 * client in the dependencies, and the request must be kept as signed to serve as a proof). STS API
 * Reference, GetCallerIdentity: `Action=GetCallerIdentity&Version=2011-06-15`; the response is
 * `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>…</Arn><UserId>…</UserId><Account>…</Account>…`,
 * an error `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>…`.
 * "No permissions are required to perform this operation" (same page), so no IAM grant is needed for it.
 */
export const CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** The Regional endpoint (AWS General Reference, "AWS Security Token Service endpoints and quotas"). */
export function stsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`;
}

/**
 * A GetCallerIdentity request signed with `credentials`, its binding header (the override record's hash)
 * among the signed ones, so the proof vouches for that record only.
 */
export function signedCallerIdentityRequest(credentials: AwsCredentials, region: string, binding: string, now = new Date()): IdentityProof {
  const url = stsEndpoint(region);
  const body = CALLER_IDENTITY_BODY;
  const headers = signRequest({ method: 'POST', url: new URL(url), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', [OVERRIDES.bindingHeader]: binding }, body: Buffer.from(body) }, 'sts', region, credentials, now);
  return { url, headers, body };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** The ARN of a GetCallerIdentity response; throws with STS's error code and message otherwise. */
export function callerArnOf(status: number, xml: string): string {
  const arn = status === 200 ? tag(xml, 'Arn') : undefined;
  if (arn) return arn.replace(/&amp;/g, '&');
  const code = tag(xml, 'Code');
  throw new Error(`STS GetCallerIdentity answered HTTP ${status}${code ? ` ${code}` : ''}${tag(xml, 'Message') ? `: ${tag(xml, 'Message')}` : ''}`);
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

/** Sends a signed GetCallerIdentity request as it was signed. */
export async function sendCallerIdentity(proof: IdentityProof, fetcher: Fetch = fetch, timeoutMs = 5000): Promise<string> {
  // `host` is signed, and sent by fetch itself from the URL.
  const headers = Object.fromEntries(Object.entries(proof.headers).filter(([name]) => name !== 'host'));
  const response = await fetcher(proof.url, { method: 'POST', headers, body: proof.body, signal: AbortSignal.timeout(timeoutMs) });
  return callerArnOf(response.status, await response.text());
}

/** The evaluator's check of an override's author: STS answers the proof with the ARN that signed it. */
export class StsIdentityVerifier implements IdentityVerifier {
  constructor(private readonly fetcher: Fetch = fetch) {}

  verify(proof: IdentityProof): Promise<string> {
    return sendCallerIdentity(proof, this.fetcher);
  }
}
