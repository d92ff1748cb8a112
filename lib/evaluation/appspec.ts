import { parse as parseYaml } from 'yaml';
import type { LambdaTarget } from './state';


/**
 * The Lambda AppSpec as the CodeDeploy User Guide documents it ("AppSpec 'resources' section for an
 * AWS Lambda deployment"): one resource of type `AWS::Lambda::Function` with `Name`, `Alias`,
 * `CurrentVersion` and `TargetVersion`. Versions may be written as YAML numbers.
 * Checked by hand, not with zod: this runs in the hook Lambda, whose bundle stays small.
 */
export class AppSpecError extends Error {
  constructor(issues: readonly string[]) {
    super(`AppSpec is not a Lambda AppSpec this evaluator understands:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'AppSpecError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the Lambda target from AppSpec content (YAML or JSON). */
export function parseLambdaAppSpec(content: string): LambdaTarget {
  let document: unknown;
  try {
    document = parseYaml(content);
  } catch (error) {
    throw new AppSpecError([`not valid YAML or JSON: ${(error as Error).message}`]);
  }
  const resources = isObject(document) ? document.Resources : undefined;
  if (!Array.isArray(resources) || resources.length === 0 || !isObject(resources[0])) {
    throw new AppSpecError(['Resources: expected a list with one Lambda function resource']);
  }
  const [logicalName, resource] = Object.entries(resources[0])[0] ?? ['(none)', undefined];
  const at = `Resources[0].${logicalName}`;
  if (!isObject(resource) || resource.Type !== 'AWS::Lambda::Function') {
    throw new AppSpecError([`${at}.Type: expected "AWS::Lambda::Function", got ${JSON.stringify(isObject(resource) ? resource.Type : resource)}`]);
  }
  const properties = isObject(resource.Properties) ? resource.Properties : {};
  const issues: string[] = [];
  const text = (key: string, allowNumber: boolean): string => {
    const value = properties[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (allowNumber && typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
    issues.push(`${at}.Properties.${key}: expected ${allowNumber ? 'a version' : 'a non-empty string'}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    return '';
  };
  const target: LambdaTarget = {
    type: 'lambda',
    functionName: text('Name', false),
    alias: text('Alias', false),
    currentVersion: text('CurrentVersion', true),
    targetVersion: text('TargetVersion', true),
  };
  if (issues.length > 0) throw new AppSpecError(issues);
  return target;
}
