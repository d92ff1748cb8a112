import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../policy';

/**
 * The Lambda AppSpec as the CodeDeploy User Guide documents it ("AppSpec 'resources' section for an
 * AWS Lambda deployment"): one resource of type `AWS::Lambda::Function` with `Name`, `Alias`,
 * `CurrentVersion` and `TargetVersion`. Versions may be written as YAML numbers.
 */
const versionSchema = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const lambdaResourceSchema = z.looseObject({
  Type: z.literal('AWS::Lambda::Function'),
  Properties: z.looseObject({
    Name: z.string().min(1),
    Alias: z.string().min(1),
    CurrentVersion: versionSchema,
    TargetVersion: versionSchema,
  }),
});

const appSpecSchema = z.looseObject({
  Resources: z.array(z.record(z.string(), z.unknown())).min(1),
});

/** The Lambda function a deployment shifts traffic on: baseline = current, canary = target. */
export interface LambdaTarget {
  readonly type: 'lambda';
  readonly functionName: string;
  readonly alias: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
}

export class AppSpecError extends Error {
  constructor(issues: readonly string[]) {
    super(`AppSpec is not a Lambda AppSpec this evaluator understands:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'AppSpecError';
  }
}

/** Reads the Lambda target from AppSpec content (YAML or JSON). */
export function parseLambdaAppSpec(content: string): LambdaTarget {
  let document: unknown;
  try {
    document = parseYaml(content);
  } catch (error) {
    throw new AppSpecError([`not valid YAML or JSON: ${(error as Error).message}`]);
  }
  const appSpec = appSpecSchema.safeParse(document);
  if (!appSpec.success) throw new AppSpecError(formatIssues(appSpec.error));

  const [logicalName, resource] = Object.entries(appSpec.data.Resources[0])[0] ?? [];
  const parsed = lambdaResourceSchema.safeParse(resource);
  if (!parsed.success) {
    throw new AppSpecError(formatIssues(parsed.error).map((issue) => `Resources[0].${logicalName}.${issue}`));
  }
  const { Name, Alias, CurrentVersion, TargetVersion } = parsed.data.Properties;
  return { type: 'lambda', functionName: Name, alias: Alias, currentVersion: CurrentVersion, targetVersion: TargetVersion };
}
