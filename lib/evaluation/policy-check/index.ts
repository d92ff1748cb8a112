import { documentLoaders } from '../../policy/documents';
import { deploymentFitIssues, type DeploymentLimits, type PolicyIssue } from '../../policy/fit';
import { policyWarnings } from '../../policy/warnings';
import { formatPath, parsePolicy, PolicyError } from '../../policy/parse';
import type { Policy } from '../../policy';
import { unfailableIssues } from './worst-case';

export { unfailableIssues, WORST_CASE } from './worst-case';

/**
 * The one validation of a policy, shared by `canary-eval validate`, the CLI's other commands and synth:
 * the schema and its rules (`parsePolicy`), the evaluator's limits (`limits`: synth knows the real
 * ones, the CLI assumes the construct's defaults), and a worst regression of every critical metric
 * must be able to fail (`unfailableIssues`). Throws `PolicyError` naming every bad path.
 */
export function validatePolicy(input: unknown, source?: string, limits?: DeploymentLimits): Policy {
  return checkPolicy(input, source, limits).policy;
}

/** `validatePolicy`, with the warnings of a valid policy (`path: message`): values that look like the wrong unit. */
export function checkPolicy(input: unknown, source?: string, limits?: DeploymentLimits): { policy: Policy; warnings: string[] } {
  const policy = parsePolicy(input, source, limits);
  const issues = [...(limits ? deploymentFitIssues(policy, limits) : []), ...unfailableIssues(policy)];
  if (issues.length > 0) throw new PolicyError(issues.map(formatIssue), source);
  return { policy, warnings: policyWarnings(input).map(formatIssue) };
}

const formatIssue = (issue: PolicyIssue) => `${formatPath(issue.path)}: ${issue.message}`;

/** Reads a policy file (YAML or JSON) and checks it with `checkPolicy`. */
export function loadCheckedPolicyFile(path: string, limits?: DeploymentLimits): { policy: Policy; warnings: string[] } {
  return documentLoaders((input, source) => checkPolicy(input, source, limits), (issues, source) => new PolicyError(issues, source)).loadFile(path);
}

/** Reads a policy file (YAML or JSON) and validates it with `validatePolicy`. */
export function loadValidatedPolicyFile(path: string, limits?: DeploymentLimits): Policy {
  return loadCheckedPolicyFile(path, limits).policy;
}
