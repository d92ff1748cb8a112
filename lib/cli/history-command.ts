import { EXIT, type CommandIO } from './io';

export async function historyCommand(_argv: readonly string[], io: CommandIO): Promise<number> {
  io.stderr('canary-eval history: not implemented yet');
  return EXIT.invalid;
}
