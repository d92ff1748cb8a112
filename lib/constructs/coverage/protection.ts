import type { IConstruct } from 'constructs';

/**
 * Which constructs of the app an evaluator protects, and which the platform team exempted on purpose:
 * what `PostDeployChecks` reads at synth time. The registrations mark their group; an exemption carries
 * its reason (kept in the construct's metadata, so the cloud assembly records who was let off and why).
 */
const protectedConstructs = new WeakSet<IConstruct>();
const exemptions = new WeakMap<IConstruct, string>();

/** Called by each registration for the group it protects. */
export function markProtected(construct: IConstruct): void {
  protectedConstructs.add(construct);
}

export function isProtected(construct: IConstruct): boolean {
  return protectedConstructs.has(construct);
}

/** The metadata type an exemption is recorded under in the cloud assembly (`manifest.json`). */
export const EXEMPTION_METADATA = 'canary-evaluator:post-deploy-checks-exemption';

export function exempt(construct: IConstruct, reason: string): void {
  if (reason.trim().length === 0) throw new Error(`PostDeployChecks.exempt(${construct.node.path}): say why this construct needs no post-deploy check (the reason is kept in the cloud assembly)`);
  exemptions.set(construct, reason);
  construct.node.addMetadata(EXEMPTION_METADATA, reason);
}

/** The reason the construct or one of its scopes was exempted, if any. */
export function exemptionOf(construct: IConstruct): string | undefined {
  for (const scope of construct.node.scopes.slice().reverse()) {
    const reason = exemptions.get(scope);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
