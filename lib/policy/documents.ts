import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Text and file loaders for a YAML/JSON document validated by `parse`: an unreadable file or broken
 * YAML becomes the same kind of error as a schema violation (`fail(issues, source)`), never a raw throw.
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
  const loadFile = (path: string): T => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw fail([`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`], path);
    }
    return parseText(text, path);
  };
  return { parseText, loadFile };
}
