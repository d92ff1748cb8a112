import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** What an operating-system error code means to a person who named a file. */
const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'not found (a part of the path is not a directory)',
};

/** A file that could not be read: said as "policy.yaml: not found", not as an invalid document. */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
  ) {
    super(`${path}: ${(code && FILE_PROBLEMS[code]) ?? `cannot be read (${code ?? 'unknown error'})`}`);
    this.name = 'UnreadableFileError';
  }
}

/** A file's text, or an `UnreadableFileError` that says why not. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UnreadableFileError(path, (error as NodeJS.ErrnoException).code);
  }
}

/**
 * Text and file loaders for a YAML/JSON document validated by `parse`: broken YAML becomes the same kind
 * of error as a schema violation (`fail(issues, source)`); a file that cannot be read, an
 * `UnreadableFileError` ("policy.yaml: not found"); never a raw throw.
 */
export function documentLoaders<T>(parse: (input: unknown, source: string) => T, fail: (issues: string[], source: string) => Error) {
  const parseText = (text: string, source: string): T => {
    let document: unknown;
    try {
      document = parseYaml(text);
    } catch (error) {
      throw fail([`not valid YAML or JSON: ${(error as Error).message}`], source);
    }
    return parse(document, source);
  };
  const loadFile = (path: string): T => parseText(readTextFile(path), path);
  return { parseText, loadFile };
}
