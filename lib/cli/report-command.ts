import { EXIT, type CommandIO } from './io';

export async function reportCommand(_argv: readonly string[], io: CommandIO): Promise<number> {
  io.stderr('canary-eval report: not implemented yet');
  return EXIT.invalid;
}
