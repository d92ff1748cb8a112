import { parse as parseYaml } from 'yaml';
import { judge, validateObservations, ObservationError, type Verdict } from '../judge';
import { PolicyError, readTextFile, type Policy } from '../policy';
import { loadValidatedPolicyFile } from '../evaluation/policy-check';
import { summarisePolicy } from '../report/model';
import { verdictLines } from '../report/text-report';
import { EXIT, type CommandIO } from './io';

const USAGE = `usage: canary-eval judge --policy <file> --observations <file> [--json] [--deadline] [--fail-on-rollback]

Judges recorded observations (JSON or YAML keyed by metric name) with a policy and prints the verdict.
  --policy <file>        policy (YAML or JSON)
  --observations <file>  observations: { <metric>: { kind, baseline: [...], canary: [...] } }
  --json                 print the verdict as JSON instead of a table
  --deadline             judge as at the deadline (onTimeout / onNoData apply)
  --fail-on-rollback     exit 3 when the verdict is fail (a CI gate)
Exit codes: 0 a verdict was printed (whatever it says), 1 a file is unreadable or invalid, 2 usage error,
3 the verdict is fail (--fail-on-rollback only).`;

interface Arguments {
  readonly policy: string;
  readonly observations: string;
  readonly json: boolean;
  readonly deadline: boolean;
  readonly failOnRollback: boolean;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): Arguments | 'help' {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--json' || arg === '--deadline' || arg === '--fail-on-rollback') flags.add(arg);
    else if (arg === '--policy' || arg === '--observations') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a file name`);
      values[arg] = value;
      i++;
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  for (const required of ['--policy', '--observations']) if (!values[required]) throw new UsageError(`${required} <file> is required`);
  return { policy: values['--policy'], observations: values['--observations'], json: flags.has('--json'), deadline: flags.has('--deadline'), failOnRollback: flags.has('--fail-on-rollback') };
}

function loadObservations(path: string, policy: Policy) {
  const text = readTextFile(path);
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new Error(`${path}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    return validateObservations(policy, document);
  } catch (error) {
    if (error instanceof ObservationError) throw new Error(`${path} is invalid:\n${error.issues.map((issue) => `  - ${issue}`).join('\n')}`);
    throw error;
  }
}

/** The verdict in the words every other view uses (the simulation, `status`, the HTML report). */
function verdictText(verdict: Verdict, policy: Policy): string {
  const summary = summarisePolicy(policy);
  const toleranceOf = (metric: string) => summary.metrics.find((entry) => entry.name === metric)?.toleranceRatio;
  return verdictLines(verdict, { label: `Verdict${verdict.final ? '' : ' so far'}`, toleranceOf, policyAlpha: policy.alpha }).join('\n');
}

/** `canary-eval judge`: never throws; errors become a message on stderr and an exit code. */
export async function judgeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let args: Arguments | 'help';
  try {
    args = parseArguments(argv);
  } catch (error) {
    io.stderr(`canary-eval judge: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const policy = loadValidatedPolicyFile(args.policy);
    const observations = loadObservations(args.observations, policy);
    const verdict = judge(policy, observations, { deadlineReached: args.deadline });
    io.stdout(args.json ? `${JSON.stringify(verdict, null, 2)}\n` : `${verdictText(verdict, policy)}\n`);
    if (args.failOnRollback && verdict.decision === 'fail') {
      io.stderr('canary-eval judge: --fail-on-rollback: the verdict is fail\n');
      return EXIT.rolledBack;
    }
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof PolicyError || error instanceof Error ? error.message : String(error);
    io.stderr(`canary-eval judge: ${message}\n`);
    return 1;
  }
}
