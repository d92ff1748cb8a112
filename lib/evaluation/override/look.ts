import type { EvaluationInput } from '../state';
import { OVERRIDES, overrideBinding, overrideKey, parseOverrideRecord, type IdentityProof, type OverrideOutcome, type OverrideRecord } from './record';

/** Reads an override record (`s3:GetObject` under `overrides/`); `undefined` when there is none. */
export interface OverrideStore {
  read(bucket: string, key: string): Promise<unknown>;
}

/**
 * Sends a proof of identity to STS as it was signed and returns the ARN STS answers with; throws when
 * STS refuses it (a changed record, an expired or forged signature) or cannot be reached.
 */
export interface IdentityVerifier {
  verify(proof: IdentityProof): Promise<string>;
}

export interface OverrideDependencies {
  readonly overrides: OverrideStore;
  readonly identity: IdentityVerifier;
}

/**
 * What an evaluation that allows overrides looks at before each judgment: this hook's record, if any,
 * checked. An override is honoured only when the registration allows it, the record names this hook,
 * and STS vouches that the ARN it names signed its content (`overrideBinding` in the signed header);
 * otherwise it is refused, and the refusal is recorded like an honoured one. A record that cannot be
 * read or parsed is refused too, never an evaluator error: the evaluation goes on judging.
 */
export async function lookForOverride(input: EvaluationInput, deps: OverrideDependencies | undefined): Promise<OverrideOutcome | undefined> {
  const settings = input.override;
  if (!settings || !deps) return undefined;
  const raw = await deps.overrides.read(settings.bucket, overrideKey(input.deploymentId, input.lifecycleEvent));
  if (raw === undefined) return undefined;
  let record: OverrideRecord;
  try {
    record = parseOverrideRecord(raw);
  } catch (error) {
    return { action: 'skip', reason: '(unreadable record)', by: 'unknown', requestedAt: new Date(0).toISOString(), honoured: false, refused: `the override record is malformed: ${(error as Error).message}` };
  }
  const claimed = { action: record.action, reason: record.reason, by: record.callerArn, requestedAt: record.requestedAt };
  if (!settings.allowed) return { ...claimed, honoured: false, refused: 'this registration forbids overrides (allowOverrides: false)' };
  if (record.deploymentId !== input.deploymentId || record.lifecycleEvent !== input.lifecycleEvent) {
    return { ...claimed, honoured: false, refused: `the record names ${record.deploymentId} ${record.lifecycleEvent}, not this evaluation` };
  }
  const proofProblem = identityProofProblem(record);
  if (proofProblem) return { ...claimed, honoured: false, refused: proofProblem };
  let verified: string;
  try {
    verified = await deps.identity.verify(record.proof);
  } catch (error) {
    return { ...claimed, honoured: false, refused: `STS did not vouch for its author: ${(error as Error).message}` };
  }
  if (verified !== record.callerArn) return { ...claimed, by: verified, honoured: false, refused: `signed by ${verified}, not by ${record.callerArn} as the record says` };
  return { ...claimed, by: verified, honoured: true };
}

/**
 * What STS cannot check for us: that the proof goes to STS itself (an endpoint of ours answers any
 * ARN), and that the binding header is among the signed ones (an unsigned header STS ignores, so a
 * proof copied from another record within its five minutes would vouch for this one).
 */
export function identityProofProblem(record: OverrideRecord): string | undefined {
  if (!STS_ENDPOINT.test(record.proof.url)) return `its proof of identity goes to ${record.proof.url}, not to an STS endpoint`;
  const signed = /SignedHeaders=([^,\s]+)/.exec(record.proof.headers.authorization ?? '')?.[1]?.split(';') ?? [];
  if (record.proof.headers[OVERRIDES.bindingHeader] !== overrideBinding(record) || !signed.includes(OVERRIDES.bindingHeader)) return 'its proof of identity was not signed for this record';
  return undefined;
}

/** STS's global and Regional endpoints (AWS General Reference, "AWS Security Token Service endpoints and quotas"). */
export const STS_ENDPOINT = /^https:\/\/sts(\.[a-z]{2}(-[a-z]+)+-\d)?\.amazonaws\.com(\.cn)?\/$/;

/** A wait of an evaluation that allows overrides: at most `OVERRIDES.lookSeconds`, so an override is seen within that. */
export function overrideAwareWait(input: EvaluationInput, wait: number): number {
  return input.override?.allowed ? Math.min(wait, OVERRIDES.lookSeconds) : wait;
}
