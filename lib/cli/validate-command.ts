import { PolicyError, UnreadableFileError } from '../policy';
import { formatSeconds } from '../policy/limits';
import { loadCheckedPolicyFile } from '../evaluation/policy-check';
import { ECS_HOOK_TIMEOUT, ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES, ecsNativeDeploymentLimits } from '../evaluation/ecs-native/contract';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS, JUDGING_BUDGET_SECONDS } from '../policy/limits';
import { EXIT, parseFlags, UsageError, wantsHelp, type CommandIO } from './io';

const USAGE = `usage: canary-eval validate <policy.yaml|policy.json> [--ecs-hook-timeout <minutes>]

Checks a policy and prints a summary, or every error with its path. A valid policy may
also get warnings (on stderr) for values that look like the wrong unit.
The time rules fit a CodeDeploy hook's hour and the evaluator's default evaluation timeout,
unless --ecs-hook-timeout names the timeout of the Amazon ECS native hook the policy runs at
(on an evaluator whose ecsNativeMaxHookTimeout is that timeout).
Exit codes: 0 valid (with or without warnings), 1 invalid or unreadable, 2 usage error.`;

/** `canary-eval validate <file>`: path-named errors and exit 1, or a summary and exit 0. */
export async function validateCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  let file: string;
  let ecsHookTimeoutMinutes: number | undefined;
  try {
    const { positionals, values } = parseFlags(argv, { 'ecs-hook-timeout': { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a policy file is required' : `one policy file at a time (got ${positionals.length})`);
    file = positionals[0];
    if (values['ecs-hook-timeout'] !== undefined) ecsHookTimeoutMinutes = hookTimeoutMinutes(values['ecs-hook-timeout']);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval validate: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const limits = ecsHookTimeoutMinutes === undefined ? undefined : ecsNativeDeploymentLimits(ecsHookTimeoutMinutes);
    const { policy, warnings } = loadCheckedPolicyFile(file, limits);
    if (warnings.length > 0) io.stderr(warnings.map((warning) => `warning: ${warning}`).join('\n'));
    const lines = [
      `${file}: valid policy`,
      `  metrics (${policy.metrics.length}):`,
      ...policy.metrics.map((m) => `    - ${m.name}: ${m.kind}, ${m.method.type}${m.critical ? ', critical' : ''}`),
      `  smoke tests: ${policy.smokeTests.length}`,
      `  canary watch: ${policy.canaryWatch.enabled ? `every ${formatSeconds(policy.canaryWatch.period)} for up to ${formatSeconds(policy.canaryWatch.maxDuration)}${policy.canaryWatch.stopDeploymentOnFail ? ', stops the deployment on a failing verdict' : ''}` : 'off'}`,
      `  bake: ${policy.bake.enabled === false ? 'off' : `${formatSeconds(policy.bake.duration)}, judged every ${formatSeconds(policy.bake.period)}`}; metric lag ${formatSeconds(policy.metricLag)}`,
      `  false-alarm budget (alpha): ${policy.alpha}${policy.dryRun ? '; DRY RUN: always reports Succeeded' : ''}`,
      `  on no data: ${policy.onNoData}; on timeout: ${policy.onTimeout}; on evaluator error: ${policy.onEvaluatorError}`,
      ecsHookTimeoutMinutes === undefined
        ? `  fitted against: a CodeDeploy hook's hour (judged within ${formatSeconds(JUDGING_BUDGET_SECONDS)}, evaluation timeout ${formatSeconds(DEFAULT_EVALUATION_TIMEOUT_SECONDS)})`
        : `  fitted against: an Amazon ECS native hook timeout of ${ecsHookTimeoutMinutes} min (judged within ${formatSeconds(limits!.judgingBudgetSeconds)}, evaluation timeout ${formatSeconds(limits!.evaluationTimeoutSeconds)}; on an evaluator whose ecsNativeMaxHookTimeout is ${ecsHookTimeoutMinutes} min)`,
    ];
    io.stdout(lines.join('\n'));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof PolicyError || error instanceof UnreadableFileError) {
      io.stderr(error.message);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** `--ecs-hook-timeout`: whole minutes within the range a judged ECS hook may have (registerEcsService's `hookTimeout`). */
function hookTimeoutMinutes(text: string): number {
  const minutes = Number(text);
  if (!/^\d+$/.test(text) || minutes < ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES || minutes > ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes) {
    throw new UsageError(`--ecs-hook-timeout: expected whole minutes from ${ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES} to ${ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes}, got ${JSON.stringify(text)}`);
  }
  return minutes;
}
