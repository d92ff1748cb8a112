import { createHash } from 'node:crypto';
import { isoDate, object, oneOf, StateError, string } from '../check';
import { OVERRIDE_ACTIONS, type OverrideAction } from './outcome';
import { executionName, type LifecycleEvent } from '../state';

export * from './outcome';

/**
 * Break-glass overrides (issue 28 item 4): on call tells a running evaluation what to do instead of
 * judging. The record is an S3 object the CLI writes (`canary-eval override`) and each look of the
 * evaluation reads; its author is proven by a signed STS `GetCallerIdentity` request the CLI made with
 * its own credentials, bound to the record's content, which the evaluator sends to STS itself.
 */

/**
 * Where the records are (the evaluator's report bucket, under their own prefix), how often a waiting
 * evaluation looks at most (the "honoured within 60 s": waits of an evaluation that allows
 * overrides are capped at this), and the header that binds a proof of identity to one record.
 */
export const OVERRIDES = { prefix: 'overrides/', lookSeconds: 60, bindingHeader: 'x-canary-eval-override', maxReasonLength: 500 } as const;

/**
 * A signed STS `GetCallerIdentity` request (IAM User Guide, "Create a signed AWS API request"), kept as
 * sent: STS answers it with the signer's ARN. Its signed headers include `OVERRIDES.bindingHeader`, the
 * hash of the record's content, so the proof vouches for this record only. STS accepts it within five
 * minutes of its `x-amz-date` ("a request must reach AWS within five minutes of the time stamp").
 */
export interface IdentityProof {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The override of one hook's evaluation, as stored at `overrideKey`. */
export interface OverrideRecord {
  readonly deploymentId: string;
  readonly lifecycleEvent: LifecycleEvent;
  readonly action: OverrideAction;
  readonly reason: string;
  /** When the CLI wrote it (ISO 8601). */
  readonly requestedAt: string;
  /** The ARN STS returned to the CLI for the proof: what the evaluator must find again. */
  readonly callerArn: string;
  readonly proof: IdentityProof;
}

/** The object key of a hook's override: one per deployment and lifecycle event, as its execution's name. */
export function overrideKey(deploymentId: string, lifecycleEvent: LifecycleEvent): string {
  return `${OVERRIDES.prefix}${executionName(deploymentId, lifecycleEvent)}.json`;
}

/**
 * The hash a proof binds: what the record asks, when (canonical JSON, fixed order). Not the caller's ARN,
 * which the CLI learns from the proof itself: a record naming another ARN than STS vouches for is refused.
 */
export function overrideBinding(record: Pick<OverrideRecord, 'deploymentId' | 'lifecycleEvent' | 'action' | 'reason' | 'requestedAt'>): string {
  const content = [record.deploymentId, record.lifecycleEvent, record.action, record.reason, record.requestedAt];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** The reason as the CLI takes it: said, on one line, not too long for a chat card. */
export function overrideReasonProblem(reason: string): string | undefined {
  if (reason.trim().length === 0) return 'a reason is required (--reason "…"): it is recorded with the override';
  if (reason.length > OVERRIDES.maxReasonLength) return `the reason is ${reason.length} characters; at most ${OVERRIDES.maxReasonLength}`;
  return undefined;
}

export function parseOverrideRecord(value: unknown, path = 'override'): OverrideRecord {
  const record = object(value, path);
  const proof = object(record.proof, `${path}.proof`);
  const headers = object(proof.headers, `${path}.proof.headers`);
  for (const [name, header] of Object.entries(headers)) string(header, `${path}.proof.headers.${name}`);
  const reason = string(record.reason, `${path}.reason`);
  const problem = overrideReasonProblem(reason);
  if (problem) throw new StateError(`${path}.reason: ${problem}`);
  return {
    deploymentId: string(record.deploymentId, `${path}.deploymentId`),
    lifecycleEvent: oneOf(record.lifecycleEvent, ['BeforeAllowTraffic', 'AfterAllowTestTraffic', 'AfterAllowTraffic'] as const, `${path}.lifecycleEvent`),
    action: oneOf(record.action, OVERRIDE_ACTIONS, `${path}.action`),
    reason,
    requestedAt: isoDate(record.requestedAt, `${path}.requestedAt`),
    callerArn: string(record.callerArn, `${path}.callerArn`),
    proof: { url: string(proof.url, `${path}.proof.url`), headers: headers as Record<string, string>, body: typeof proof.body === 'string' ? proof.body : '' },
  };
}
