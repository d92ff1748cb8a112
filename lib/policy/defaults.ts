/**
 * The policy's defaults, defined once: the schema applies them when it validates, and the Lambdas
 * fall back to them for a stored policy that lacks a field (written by an older construct). Zod-free,
 * so the Lambda bundles can import it.
 */
export const POLICY_DEFAULTS = {
  alpha: 0.01,
  smokeTestSettings: { enabled: true, concurrency: 4 },
  canaryWatch: { enabled: true, period: 60, maxDuration: 1800, stopDeploymentOnFail: false },
  dryRun: false,
  bake: { enabled: true, duration: 600, period: 60 },
  metricLag: 120,
  onNoData: 'inconclusive',
  onTimeout: 'inconclusive',
  onInconclusive: 'pass',
  onEvaluatorError: 'fail',
} as const;
