import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

/**
 * Checks a synthesized template against the CloudFormation resource specification as aws-cdk-lib's own
 * generator reads it (npm `@aws-cdk/aws-service-spec`): every resource type, every property name, nested
 * ones through their type definitions, and every `Fn::GetAtt` attribute.
 */
export interface SpecFinding {
  readonly where: string;
  readonly problem: 'unknown resource type' | 'unknown property' | 'unknown attribute' | 'not an object' | 'not a list';
  readonly detail: string;
}

interface TemplateJson {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

let database: SpecDatabase | undefined;
export function specDatabase(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

/** Custom resources take any properties; CDK's own metadata resource is not a CloudFormation type. */
const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
const CDK_OWN_TYPES = new Set(['AWS::CDK::Metadata']);

const isIntrinsic = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
};

function resourceOf(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

export function checkTemplate(template: TemplateJson, db = specDatabase()): SpecFinding[] {
  const findings: SpecFinding[] = [];
  const typesById = new Map(Object.entries(template.Resources).map(([id, resource]) => [id, resource.Type]));
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (CDK_OWN_TYPES.has(resource.Type) || isCustom(resource.Type)) continue;
    const spec = resourceOf(db, resource.Type);
    if (!spec) {
      findings.push({ where: id, problem: 'unknown resource type', detail: resource.Type });
      continue;
    }
    checkProperties(db, resource.Properties ?? {}, spec.properties, `${id} (${resource.Type}).Properties`, findings);
  }
  forEachGetAtt(template, (where, [logicalId, attribute]) => {
    const type = typesById.get(logicalId);
    if (!type || CDK_OWN_TYPES.has(type) || isCustom(type)) return;
    const spec = resourceOf(db, type);
    if (spec && !Object.hasOwn(spec.attributes, attribute)) {
      findings.push({ where, problem: 'unknown attribute', detail: `${logicalId} (${type}) has no attribute ${attribute}; it has ${Object.keys(spec.attributes).join(', ') || 'none'}` });
    }
  });
  return findings;
}

function checkProperties(db: SpecDatabase, value: Record<string, unknown>, properties: ResourceProperties, where: string, findings: SpecFinding[]): void {
  for (const [name, child] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      findings.push({ where, problem: 'unknown property', detail: `${name} (known: ${Object.keys(properties).sort().join(', ')})` });
      continue;
    }
    checkValue(db, child, property.type, `${where}.${name}`, findings);
  }
}

function checkValue(db: SpecDatabase, value: unknown, type: PropertyType, where: string, findings: SpecFinding[]): void {
  if (isIntrinsic(value)) return;
  switch (type.type) {
    case 'ref': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        findings.push({ where, problem: 'not an object', detail: JSON.stringify(value).slice(0, 80) });
        return;
      }
      const definition = db.get('typeDefinition', type.reference.$ref);
      checkProperties(db, value as Record<string, unknown>, definition.properties, where, findings);
      return;
    }
    case 'array':
      if (!Array.isArray(value)) {
        findings.push({ where, problem: 'not a list', detail: JSON.stringify(value).slice(0, 80) });
        return;
      }
      value.forEach((element, index) => checkValue(db, element, type.element, `${where}[${index}]`, findings));
      return;
    case 'map':
      if (typeof value === 'object' && value !== null) for (const [key, element] of Object.entries(value)) checkValue(db, element, type.element, `${where}.${key}`, findings);
      return;
    case 'union': {
      // Accepted when one of the alternatives accepts it.
      const attempts = type.types.map((alternative) => {
        const found: SpecFinding[] = [];
        checkValue(db, value, alternative, where, found);
        return found;
      });
      if (!attempts.some((found) => found.length === 0)) findings.push(...attempts.reduce((fewest, found) => (found.length < fewest.length ? found : fewest)));
      return;
    }
    default:
      // Scalars, tags and free-form JSON: names only are checked.
      return;
  }
}

function forEachGetAtt(node: unknown, visit: (where: string, target: [string, string]) => void, where = ''): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => forEachGetAtt(child, visit, `${where}[${index}]`));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(child) ? child : typeof child === 'string' ? child.split(/\.(.*)/s).slice(0, 2) : [];
      if (typeof target[0] === 'string' && typeof target[1] === 'string') visit(where, [target[0], target[1]]);
      continue;
    }
    forEachGetAtt(child, visit, where ? `${where}.${key}` : key);
  }
}
