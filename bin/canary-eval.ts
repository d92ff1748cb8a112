#!/usr/bin/env node
// Runs as compiled JavaScript (`dist/bin/canary-eval.js`, the package's `bin`); `tsx bin/canary-eval.ts` in this repository.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT, processIO, wantsHelp, type CommandIO } from '../lib/cli/io';

type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;

// Commands load lazily: `validate` should not pay for loading the CDK and the AWS SDK.
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  validate: {
    load: async () => (await import('../lib/cli/validate-command')).validateCommand,
    summary: 'validate <policy>            check a policy file (YAML or JSON)',
  },
  simulate: {
    load: async () => (await import('../lib/cli/simulate-command')).simulateCommand,
    summary: 'simulate [scenario…] [--policy F] [--report F.html] [--json]  simulated deployments through the real state machine',
  },
  judge: {
    load: async () => (await import('../lib/cli/judge-command')).judgeCommand,
    summary: 'judge --policy F --observations F [--json]  judge recorded metrics',
  },
  bench: {
    load: async () => (await import('../lib/cli/bench-command')).benchCommand,
    summary: 'bench [--seeds N] [--json]     detection benchmark: our judge against the anchors',
  },
  status: {
    load: async () => (await import('../lib/cli/status-command')).statusCommand,
    summary: 'status <deployment> [--watch] [--json]  a real deployment, its evaluations and verdicts (AWS)',
  },
  report: {
    load: async () => (await import('../lib/cli/report-command')).reportCommand,
    summary: 'report <deployment> [--out F.html]  the HTML report of a real deployment (AWS)',
  },
  override: {
    load: async () => (await import('../lib/cli/override-command')).overrideCommand,
    summary: 'override <deployment> --skip|--promote|--rollback --reason "…"  break glass: decide a running evaluation (AWS)',
  },
  history: {
    load: async () => (await import('../lib/cli/history-command')).historyCommand,
    summary: 'history --application A --group G | --ecs-service C/S [--since 30d] [--json]  past deployments, change failure rate (AWS)',
  },
  coverage: {
    load: async () => (await import('../lib/cli/coverage-command')).coverageCommand,
    summary: 'coverage [--since 30d] [--tag T] [--json]  which deployment groups an evaluator protects, and how mature their checks are (AWS)',
  },
  replay: {
    load: async () => (await import('../lib/cli/replay-command')).replayCommand,
    summary: 'replay --application A --group G --policy F [--since 14d]  re-judge past deployments with a candidate policy (AWS)',
  },
};

function usage(): string {
  return ['usage: canary-eval <command> [options]', '       canary-eval --version', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join('\n');
}

/** The version in canary-evaluator's package.json: `../package.json` from source, `../../package.json` when compiled. */
export function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === 'canary-evaluator' && version) return version;
  }
  throw new Error(`no package.json of canary-evaluator above ${__dirname}`);
}

export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(packageVersion());
    return EXIT.ok;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    if (name && ['-h', '--help', 'help'].includes(name)) {
      io.stdout(`${usage()}\n\n'canary-eval <command> --help' describes a command; exit codes: README, "Exit codes".`);
      return EXIT.ok;
    }
    io.stderr(name ? `unknown command "${name}"\n\n${usage()}` : usage());
    return EXIT.usage;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    // `simulate` runs on aws-local-stepfunctions, an optional peer dependency of the published package.
    const missing = /Cannot find module '(aws-local-stepfunctions)'/.exec((error as Error).message)?.[1];
    if (missing && wantsHelp(rest)) {
      // Help is always available: the command's line from the index, and what it needs to run.
      io.stdout(`usage: canary-eval ${command.summary}\n\nThis command needs the optional package ${missing}: \`npm install --save-dev ${missing}\`.`);
      return EXIT.ok;
    }
    if (missing) {
      io.stderr(`canary-eval ${name}: needs the optional package ${missing}; install it with \`npm install --save-dev ${missing}\``);
      return EXIT.invalid;
    }
    io.stderr(`canary-eval ${name}: ${(error as Error).message}`);
    return EXIT.invalid;
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
