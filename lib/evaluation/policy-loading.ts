import type { Policy } from '../policy';
import { POLICY_DEFAULTS } from '../policy/defaults';
import { object, StateError } from './check';
import type { PolicyStore } from './ports';
import type { EvaluationInput } from './state';

/**
 * Loads the policy a hook evaluation runs under. The stored document is the construct's normalised
 * output of `parsePolicy` (validated at synth time, deployed with these Lambdas), so only its shape is
 * checked here: re-validating with zod would add ~440 KB to every Lambda bundle.
 */
export async function loadPolicy(store: PolicyStore, input: Pick<EvaluationInput, 'policyRef'>): Promise<Policy> {
  const where = `policy s3://${input.policyRef.bucket}/${input.policyRef.key}`;
  const document = object(await store.load(input.policyRef), where);
  if (!Array.isArray(document.metrics)) throw new StateError(`${where}: metrics: expected a list (is this a policy written by the CanaryEvaluator construct?)`);
  document.metrics.forEach((metric: unknown, index: number) => {
    const entry = object(metric, `${where}: metrics[${index}]`);
    if (typeof entry.name !== 'string' || typeof entry.kind !== 'string') throw new StateError(`${where}: metrics[${index}]: expected a metric with a name and a kind`);
  });
  if (typeof document.bake !== 'object' || document.bake === null) throw new StateError(`${where}: bake: expected an object`);
  return document as unknown as Policy;
}

/** The workflow switches with their defaults (a policy stored by an older construct may lack them). */
export function workflowSettings(policy: Policy) {
  return {
    smokeTests: policy.smokeTests ?? [],
    smokeTestsEnabled: policy.smokeTestSettings?.enabled ?? POLICY_DEFAULTS.smokeTestSettings.enabled,
    smokeTestConcurrency: policy.smokeTestSettings?.concurrency ?? POLICY_DEFAULTS.smokeTestSettings.concurrency,
    canaryWatch: policy.canaryWatch ?? POLICY_DEFAULTS.canaryWatch,
    bakeEnabled: policy.bake.enabled ?? POLICY_DEFAULTS.bake.enabled,
    dryRun: policy.dryRun ?? POLICY_DEFAULTS.dryRun,
    onEvaluatorError: policy.onEvaluatorError ?? POLICY_DEFAULTS.onEvaluatorError,
  };
}
