import { z } from 'zod';

/**
 * What travels through the evaluation state machine. Kept small on purpose: raw metric data is
 * re-read each tick and never stored in state (Step Functions payloads are limited to 256 KB).
 */
export const lifecycleEventSchema = z.enum(['BeforeAllowTraffic', 'AfterAllowTraffic']);
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;

export const lambdaTargetSchema = z.strictObject({
  type: z.literal('lambda'),
  functionName: z.string().min(1),
  alias: z.string().min(1),
  currentVersion: z.string().min(1),
  targetVersion: z.string().min(1),
});

/** The execution input, written by the hook Lambda. */
export const evaluationInputSchema = z.strictObject({
  deploymentId: z.string().min(1),
  lifecycleEventHookExecutionId: z.string().min(1),
  lifecycleEvent: lifecycleEventSchema,
  applicationName: z.string().min(1),
  deploymentGroupName: z.string().min(1),
  target: lambdaTargetSchema,
  policyRef: z.strictObject({ bucket: z.string().min(1), key: z.string().min(1) }),
  /** When the hook was invoked (ISO 8601); the evaluation window starts here. */
  hookInvokedAt: z.iso.datetime(),
});
export type EvaluationInput = z.infer<typeof evaluationInputSchema>;

/** The timing the prepare step fixes once, so every tick judges the same window. */
export const evaluationPlanSchema = z.strictObject({
  /** Start of the judged window, epoch seconds, aligned to the period. */
  windowStart: z.number().int(),
  /** End of the judged window, epoch seconds: the deadline for the last complete period. */
  windowEnd: z.number().int(),
  periodSeconds: z.number().int().positive(),
  lagSeconds: z.number().int().nonnegative(),
  metricCount: z.number().int().nonnegative(),
});
export type EvaluationPlan = z.infer<typeof evaluationPlanSchema>;

export const evaluateRequestSchema = z.strictObject({
  input: evaluationInputSchema,
  plan: evaluationPlanSchema,
});
export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;

/** One tick's result: the decision, why, and how long to wait before the next tick. */
export interface TickResult {
  readonly decision: 'pass' | 'fail' | 'continue';
  readonly final: boolean;
  readonly reason: string;
  /** Seconds until the next tick is worth running (`continue` only). */
  readonly waitSeconds: number;
  /** Complete periods judged so far. */
  readonly periodsJudged: number;
  readonly verdict: import('../judge').Verdict;
}

export const reportRequestSchema = z.strictObject({
  deploymentId: z.string().min(1),
  lifecycleEventHookExecutionId: z.string().min(1),
  status: z.enum(['Succeeded', 'Failed']),
  reason: z.string().default(''),
});
export type ReportRequest = z.infer<typeof reportRequestSchema>;

/** `${DeploymentId}-${LifecycleEvent}`: unique per hook, so a duplicate hook invocation cannot start a second evaluation. */
export function executionName(deploymentId: string, lifecycleEvent: LifecycleEvent): string {
  return `${deploymentId}-${lifecycleEvent}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
}
