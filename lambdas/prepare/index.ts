import { S3Client } from '@aws-sdk/client-s3';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { type PolicyStore } from '../../lib/evaluation/ports';
import { parseEvaluationInput, type EvaluationPlan } from '../../lib/evaluation/state';
import { loadPolicy, planEvaluation } from '../../lib/evaluation/steps';
import { logger } from '../shared';

export interface PrepareDependencies {
  readonly policies: PolicyStore;
}

/** Validates the execution input and the policy, and fixes the evaluation plan (phases and switches included). */
export function createPrepareHandler(deps: PrepareDependencies) {
  return async (event: unknown): Promise<EvaluationPlan> => {
    const input = parseEvaluationInput(event);
    logger.setCorrelationId(input.deploymentId);
    const plan = planEvaluation(input, await loadPolicy(deps.policies, input));
    logger.info('evaluation planned', { plan });
    return plan;
  };
}

export const handler = createPrepareHandler({ policies: new S3PolicyStore(new S3Client({})) });
