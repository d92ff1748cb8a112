import { PolicyError, UnreadableFileError } from '../policy';
import { formatSeconds } from '../policy/limits';
import { loadCheckedPolicyFile } from '../evaluation/policy-check';
import { EXIT, parseFlags, UsageError, wantsHelp, type CommandIO } from './io';

const USAGE = `usage: canary-eval validate <policy.yaml|policy.json>

Checks a policy and prints a summary, or every error with its path. A valid policy may
also get warnings (on stderr) for values that look like the wrong unit.
Exit codes: 0 valid (with or without warnings), 1 invalid or unreadable, 2 usage error.`;

/** `canary-eval validate <file>`: path-named errors and exit 1, or a summary and exit 0. */
export async function validateCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  let file: string;
  try {
    const { positionals } = parseFlags(argv, {}, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a policy file is required' : `one policy file at a time (got ${positionals.length})`);
    file = positionals[0];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval validate: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const { policy, warnings } = loadCheckedPolicyFile(file);
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
