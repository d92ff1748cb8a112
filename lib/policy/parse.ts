import type { z } from 'zod';
import { documentLoaders } from './documents';
import { durationText } from './duration';
import { policySchema, policySchemaFittedTo, type Policy, type PolicyInput } from './schema';
import type { DeploymentLimits } from './fit';

/** Thrown for a policy that does not validate; `issues` names every bad path. */
export class PolicyError extends Error {
  constructor(
    readonly issues: readonly string[],
    source = 'policy',
  ) {
    super(`${source} is invalid:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/**
 * `metrics[0].method.max` style path for a zod issue path; a key that is not a plain name (a header
 * `X Bad`, an empty dimension name) is quoted, `headers["X Bad"]`, so the path always says where.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `${text}[${JSON.stringify(name)}]`;
    return text ? `${text}.${name}` : name;
  }, '');
}

/** One line per problem: `path: message`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    return `${path || "(top level)"}: ${issue.message}`;
  });
}

/**
 * Validates a policy object and returns it normalised; throws `PolicyError` naming every bad path. The
 * time rules fit `limits` (the evaluator's and the hook's), by default a CodeDeploy hook's hour.
 */
export function parsePolicy(input: unknown, source?: string, limits?: DeploymentLimits): Policy {
  const result = (limits ? policySchemaFittedTo(limits) : policySchema).safeParse(input);
  if (!result.success) throw new PolicyError(formatIssues(result.error), source);
  return result.data;
}

const policyLoaders = documentLoaders(parsePolicy, (issues, source) => new PolicyError(issues, source));

/** Parses YAML or JSON text (JSON is YAML) into a policy. */
export function parsePolicyText(text: string, source = 'policy'): Policy {
  return policyLoaders.parseText(text, source);
}

/** Reads and parses a policy file (YAML or JSON). */
export function loadPolicyFile(path: string): Policy {
  return policyLoaders.loadFile(path);
}

/**
 * A validated (stored) policy written back as input: its durations, kept in seconds once parsed, get
 * their unit again, so `parsePolicy(policyAsInput(policy))` gives the same policy.
 */
export function policyAsInput(policy: Policy): PolicyInput {
  const { bake, canaryWatch, metricLag } = policy;
  return {
    ...policy,
    metricLag: durationText(metricLag),
    bake: { ...bake, duration: durationText(bake.duration), period: durationText(bake.period) },
    canaryWatch: { ...canaryWatch, period: durationText(canaryWatch.period), maxDuration: durationText(canaryWatch.maxDuration) },
  } as PolicyInput;
}
