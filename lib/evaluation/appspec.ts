import { parse as parseYaml } from 'yaml';
import type { LambdaTarget } from './state';

/**
 * AppSpec content as the CodeDeploy User Guide documents it. Checked by hand, not with zod: this runs
 * in the hook Lambda, whose bundle stays small.
 * - Lambda ("AppSpec 'resources' section for an AWS Lambda deployment"): one `AWS::Lambda::Function`
 *   resource with `Name`, `Alias`, `CurrentVersion` and `TargetVersion` (versions may be YAML numbers).
 * - ECS ("AppSpec 'resources' section for Amazon ECS deployments"): one `AWS::ECS::Service` resource
 *   (`TargetService`) with `TaskDefinition` and `LoadBalancerInfo: { ContainerName, ContainerPort }`.
 */
export class AppSpecError extends Error {
  constructor(issues: readonly string[], kind = 'a Lambda or ECS') {
    super(`AppSpec is not ${kind} AppSpec this evaluator understands:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'AppSpecError';
  }
}

/**
 * The AppSpec deploys something other than what the hook was registered for (another function or
 * alias, no new version, one target group for both ECS task sets). Not an evaluator error: the hook
 * reports it `Failed` whatever `onEvaluatorError` says, since nothing was judged that should pass.
 */
export class AppSpecMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSpecMismatchError';
  }
}

/** What a Lambda registration knows at synth (`LAMBDA_TARGET`): the function and the alias its group deploys. */
export interface LambdaRegistrationTarget {
  readonly functionName: string;
  readonly alias: string;
}

/** `LAMBDA_TARGET` as the construct writes it; a clear error naming the variable otherwise. */
export function parseLambdaRegistrationTarget(json: string, variable: string): LambdaRegistrationTarget {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${variable}: expected JSON { functionName, alias }, got ${json.slice(0, 100)} (${(error as Error).message})`);
  }
  const target = isObject(value) ? value : {};
  for (const key of ['functionName', 'alias'] as const) {
    if (typeof target[key] !== 'string' || !target[key]) throw new Error(`${variable}.${key}: expected a non-empty string, got ${shown(target[key])}`);
  }
  return { functionName: target.functionName as string, alias: target.alias as string };
}

/** `orders` or `arn:aws:lambda:…:function:orders` (CodeDeploy AppSpec `Name` takes either): the function name. */
function functionNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)$/.exec(nameOrArn);
  return match ? match[1] : nameOrArn;
}

/**
 * Checks a Lambda AppSpec against the registration: the registered function and alias (when the
 * registration names its alias), and two distinct published versions (CodeDeploy shifts the alias from
 * `CurrentVersion` to `TargetVersion`; CodeDeploy User Guide, "AppSpec 'resources' section for an AWS
 * Lambda deployment").
 */
export function checkLambdaAppSpec(appSpec: LambdaTarget, registered: LambdaRegistrationTarget | undefined): LambdaTarget {
  const at = 'Resources[0].Properties';
  if (registered && functionNameOf(appSpec.functionName) !== functionNameOf(registered.functionName)) {
    throw new AppSpecMismatchError(`${at}.Name: the AppSpec deploys function "${appSpec.functionName}", but this hook is registered for "${registered.functionName}"`);
  }
  if (registered && appSpec.alias !== registered.alias) {
    throw new AppSpecMismatchError(`${at}.Alias: the AppSpec deploys alias "${appSpec.alias}", but this hook is registered for "${registered.alias}"`);
  }
  for (const [key, version] of [['CurrentVersion', appSpec.currentVersion], ['TargetVersion', appSpec.targetVersion]] as const) {
    if (!/^[1-9][0-9]*$/.test(version)) throw new AppSpecMismatchError(`${at}.${key}: expected a published version number, got "${version}"`);
  }
  if (appSpec.currentVersion === appSpec.targetVersion) {
    throw new AppSpecMismatchError(`${at}: CurrentVersion and TargetVersion are both "${appSpec.currentVersion}": there is no new version to judge`);
  }
  return appSpec;
}

/** What an ECS AppSpec says: the replacement task definition and the container the load balancer routes to. */
export interface EcsAppSpec {
  readonly type: 'ecs';
  readonly taskDefinition: string;
  readonly containerName: string;
  readonly containerPort: number;
}

export type AppSpec = LambdaTarget | EcsAppSpec;

const RESOURCE_TYPES = { lambda: 'AWS::Lambda::Function', ecs: 'AWS::ECS::Service' } as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** The first resource of the AppSpec: its logical name, `Type` and `Properties`. */
function firstResource(content: string, kind: string) {
  let document: unknown;
  try {
    document = parseYaml(content);
  } catch (error) {
    throw new AppSpecError([`not valid YAML or JSON: ${(error as Error).message}`], kind);
  }
  const resources = isObject(document) ? document.Resources : undefined;
  if (!Array.isArray(resources) || resources.length === 0 || !isObject(resources[0])) {
    throw new AppSpecError(['Resources: expected a list with one Lambda function or ECS service resource'], kind);
  }
  const [logicalName, resource] = Object.entries(resources[0])[0] ?? ['(none)', undefined];
  const at = `Resources[0].${logicalName}`;
  const type = isObject(resource) ? resource.Type : resource;
  const properties = isObject(resource) && isObject(resource.Properties) ? resource.Properties : {};
  return { at, type, properties };
}

function lambdaTarget(at: string, properties: Record<string, unknown>): LambdaTarget {
  const issues: string[] = [];
  const text = (key: string, allowNumber: boolean): string => {
    const value = properties[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (allowNumber && typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
    issues.push(`${at}.Properties.${key}: expected ${allowNumber ? 'a version' : 'a non-empty string'}, got ${shown(value)}`);
    return '';
  };
  const target: LambdaTarget = {
    type: 'lambda',
    functionName: text('Name', false),
    alias: text('Alias', false),
    currentVersion: text('CurrentVersion', true),
    targetVersion: text('TargetVersion', true),
  };
  if (issues.length > 0) throw new AppSpecError(issues, 'a Lambda');
  return target;
}

function ecsAppSpec(at: string, properties: Record<string, unknown>): EcsAppSpec {
  const issues: string[] = [];
  const taskDefinition = properties.TaskDefinition;
  if (typeof taskDefinition !== 'string' || taskDefinition.length === 0) issues.push(`${at}.Properties.TaskDefinition: expected a task definition ARN, got ${shown(taskDefinition)}`);
  const info = properties.LoadBalancerInfo;
  const containerName = isObject(info) ? info.ContainerName : undefined;
  const port = isObject(info) ? info.ContainerPort : undefined;
  // YAML may carry the port as a string ("80"); CodeDeploy accepts either.
  const containerPort = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (!isObject(info)) issues.push(`${at}.Properties.LoadBalancerInfo: expected { ContainerName, ContainerPort }, got ${shown(info)}`);
  else {
    if (typeof containerName !== 'string' || containerName.length === 0) issues.push(`${at}.Properties.LoadBalancerInfo.ContainerName: expected a non-empty string, got ${shown(containerName)}`);
    if (typeof containerPort !== 'number' || !Number.isInteger(containerPort) || containerPort <= 0) {
      issues.push(`${at}.Properties.LoadBalancerInfo.ContainerPort: expected a port number, got ${shown(port)}`);
    }
  }
  if (issues.length > 0) throw new AppSpecError(issues, 'an ECS');
  return { type: 'ecs', taskDefinition: taskDefinition as string, containerName: containerName as string, containerPort: containerPort as number };
}

/** Reads a Lambda or an ECS AppSpec (YAML or JSON); the resource's `Type` says which. */
export function parseAppSpec(content: string): AppSpec {
  const { at, type, properties } = firstResource(content, 'a Lambda or ECS');
  if (type === RESOURCE_TYPES.lambda) return lambdaTarget(at, properties);
  if (type === RESOURCE_TYPES.ecs) return ecsAppSpec(at, properties);
  throw new AppSpecError([`${at}.Type: expected "${RESOURCE_TYPES.lambda}" or "${RESOURCE_TYPES.ecs}", got ${shown(type)}`]);
}

/** Reads the Lambda target from AppSpec content (YAML or JSON). */
export function parseLambdaAppSpec(content: string): LambdaTarget {
  const { at, type, properties } = firstResource(content, 'a Lambda');
  if (type !== RESOURCE_TYPES.lambda) throw new AppSpecError([`${at}.Type: expected "${RESOURCE_TYPES.lambda}", got ${shown(type)}`], 'a Lambda');
  return lambdaTarget(at, properties);
}

/** Reads the ECS service's replacement task definition and load balancer container from AppSpec content. */
export function parseEcsAppSpec(content: string): EcsAppSpec {
  const { at, type, properties } = firstResource(content, 'an ECS');
  if (type !== RESOURCE_TYPES.ecs) throw new AppSpecError([`${at}.Type: expected "${RESOURCE_TYPES.ecs}", got ${shown(type)}`], 'an ECS');
  return ecsAppSpec(at, properties);
}

