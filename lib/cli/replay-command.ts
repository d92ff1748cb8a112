import { EXIT, type CommandIO } from './io';

export async function replayCommand(_argv: readonly string[], io: CommandIO): Promise<number> {
  io.stderr('canary-eval replay: not implemented yet');
  return EXIT.invalid;
}
