import { parseArgs } from 'node:util';

/** Where a command writes: the real terminal, or a buffer in tests. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/**
 * The exit codes of every command, one table (README, "Exit codes"), fixed so CI gates can rely on them:
 * - 0 `ok`: the command did its work; `status`: the deployment succeeded with a verdict.
 * - 1 `invalid`: a file is unreadable or invalid, or a simulation broke.
 * - 2 `usage`: the command line is wrong.
 * - 3 `rolledBack`: `status`: the deployment failed, stopped or rolled back; `simulate`/`judge`
 *   with `--fail-on-rollback`: a scenario rolled back / the verdict is `fail`; `replay`: a decision differs;
 *   `coverage`: a deployment group or native ECS service is unprotected.
 * - 4 `running`: `status`: the deployment is still in progress.
 * - 5 `inconclusive`: `status`: the deployment went on without a verdict (no evaluation decided).
 * - 6 `aws`: an AWS call failed (credentials, a missing permission, throttling that outlasted the retries, not found).
 */
export const EXIT = { ok: 0, invalid: 1, usage: 2, rolledBack: 3, running: 4, inconclusive: 5, aws: 6 } as const;

/** A command-line problem: the command prints it with its usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help`/`-h` anywhere on the command line. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** A progress line on stderr: redrawn in place on a terminal, one line per update elsewhere unless `quiet`. */
export function progressReporter(io: CommandIO, options: { readonly tty?: boolean; readonly quiet?: boolean } = {}): { update: (text: string) => void; clear: () => void } {
  const tty = options.tty ?? (io === processIO && process.stderr.isTTY === true);
  if (tty) return { update: (text) => process.stderr.write(`\r\x1b[K${text}`), clear: () => process.stderr.write('\r\x1b[K') };
  if (options.quiet) return { update: () => undefined, clear: () => undefined };
  return { update: (text) => io.stderr(text), clear: () => undefined };
}

/**
 * `node:util` parseArgs, strict: an unknown flag or a missing value is a `UsageError` that names it.
 */
type FlagSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string; default?: string | boolean };

/** What `parseFlags` returns, named so that the package's declarations can say it (util does not export its own). */
export interface ParsedFlags<T extends Record<string, FlagSpec>> {
  readonly values: { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : T[K] extends { multiple: true } ? string[] : string };
  readonly positionals: string[];
}

export function parseFlags<T extends Record<string, FlagSpec>>(argv: readonly string[], options: T, positionals = false): ParsedFlags<T> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals }) as ParsedFlags<T>;
  } catch (error) {
    // "Unknown option '--frob'. To specify a positional argument…": keep the first sentence.
    throw new UsageError((error as Error).message.split('. ')[0].replace(/\.$/, ''));
  }
}

/** The options every AWS command takes: the standard credential chain, with `--region` and `--profile`. */
export const AWS_FLAGS = {
  region: { type: 'string' },
  profile: { type: 'string' },
} as const;

export const AWS_FLAGS_HELP = `  --region <r>     AWS region (default: AWS_REGION, then the profile's region)
  --profile <p>    named profile from ~/.aws/config (default: AWS_PROFILE, then the default credential chain)`;
