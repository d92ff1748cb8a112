import type { PolicyStore } from '../ports';
import { parseEvaluationInput, type EvaluationPlan } from '../state';
import { loadPolicy, planEvaluation } from '../steps';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface PrepareDependencies {
  readonly policies: PolicyStore;
}

/** Validates the execution input and the policy, and fixes the evaluation plan (phases and switches included). */
export function createPrepareHandler(deps: PrepareDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<EvaluationPlan> => {
    const input = parseEvaluationInput(event);
    runtime.log.setCorrelationId(input.deploymentId);
    const plan = planEvaluation(input, await loadPolicy(deps.policies, input));
    runtime.log.info('evaluation planned', { plan });
    return plan;
  });
}
