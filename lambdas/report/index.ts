import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { reportRequestSchema, type HookReporter } from '../../lib/evaluation';
import { logger } from '../shared';

export interface ReportDependencies {
  readonly reporter: HookReporter;
}

/** Reports the hook's status to CodeDeploy; a hook already reported counts as done. */
export function createReportHandler(deps: ReportDependencies) {
  return async (event: unknown) => {
    const request = reportRequestSchema.parse(event);
    logger.setCorrelationId(request.deploymentId);
    const result = await deps.reporter.report(request, request.status);
    logger.info('hook reported', { status: request.status, result, reason: request.reason });
    return { status: request.status, result };
  };
}

export const handler = createReportHandler({ reporter: new CodeDeployHookReporter(new CodeDeployClient({})) });
