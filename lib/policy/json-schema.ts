import { z } from 'zod';
import * as schemaModule from './schema';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  pattern?: string;
  [key: string]: unknown;
};

/**
 * Fields whose zod schema is a transform (chosen by a discriminating field so errors name the real
 * path) export as `{}`; their "as written" union stands in for them. `smokeTestInputSchema` joins
 * when the schema defines one.
 */
function writtenFormSchemas(): Record<string, z.ZodType> {
  const forms: Record<string, z.ZodType> = { metrics: schemaModule.metricInputSchema };
  const smokeTests = (schemaModule as Record<string, unknown>).smokeTestInputSchema;
  if (smokeTests instanceof z.ZodType) forms.smokeTests = smokeTests;
  return forms;
}

/** Descriptions of the top-level fields (the zod schema documents them in comments). */
const TOP_LEVEL_DESCRIPTIONS: Record<string, string> = {
  metrics: 'The metrics to compare, canary (new version) against baseline (current version): a preset, or a custom metric.',
  smokeTests: 'Checks of the new version before it receives traffic.',
  bake: 'The after-traffic watch: how long and how often to judge.',
  metricLag: 'How late CloudWatch datapoints may arrive; the newest periods younger than this are not judged.',
  onNoData: 'What a metric without data decides at the deadline; inconclusive lets onInconclusive decide what CodeDeploy hears.',
  onTimeout: 'What undecided metrics (sequential, Mann–Whitney, cost) decide at the deadline; threshold and alarm gates pass when nothing breached unless this is fail.',
  onInconclusive: 'What the hook reports when the deadline comes without a verdict because the evidence did not decide (traffic too low): pass (promoted without a verdict) or fail (rolled back). Data that could not be read follows onEvaluatorError.',
  onEvaluatorError: 'What the hook reports when the evaluator itself fails, or when a critical metric\'s CloudWatch data could not be read by the deadline (incomplete or throttled results).',
  budget:
    "A spend budget: the new version's spend at full traffic (the canary's spend scaled by its share of the requests) is projected over a day or a month with a 95 % interval over every look; docs/cost.md, \"Budget gate\".",
};

function withoutDialect(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  return rest;
}

/** The policy's JSON Schema (draft 2020-12), as written by users: defaults are optional. */
export function policyJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(schemaModule.policySchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  for (const [field, form] of Object.entries(writtenFormSchemas())) {
    const property = schema.properties?.[field];
    if (property) property.items = withoutDialect(z.toJSONSchema(form, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  }
  for (const [field, description] of Object.entries(TOP_LEVEL_DESCRIPTIONS)) {
    const property = schema.properties?.[field];
    if (property && !property.description) property.description = description;
  }
  return {
    $schema: schema.$schema,
    $id: 'https://github.com/canary-evaluator/canary-evaluator/schema/policy.schema.json',
    title: 'canary-evaluator policy',
    description: 'An evaluation policy of canary-evaluator (YAML or JSON). Generated from lib/policy/schema.ts by `npm run schema:generate`.',
    ...withoutDialect(schema),
  };
}

/** The committed file's content: stable formatting, trailing newline. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.type === 'object' && !schema.properties) return 'map';
  return String(schema.type ?? 'any');
}

/** The discriminating constant of a union member (`preset`, `kind`, `type`), for its heading. */
function discriminatorOf(schema: JsonSchema): string | undefined {
  for (const key of ['preset', 'kind', 'type']) {
    const value = schema.properties?.[key]?.const;
    if (value !== undefined) return `${key}: ${String(value)}`;
  }
  return undefined;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly description: string;
}

function collectRows(schema: JsonSchema, path: string, rows: Row[], sections: Array<{ title: string; schema: JsonSchema; path: string }>): void {
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const fieldPath = path ? `${path}.${name}` : name;
    const isArray = property.type === 'array';
    const variants = (isArray ? (property.items?.anyOf ?? property.items?.oneOf) : (property.anyOf ?? property.oneOf))?.flatMap(
      (variant) => variant.anyOf ?? variant.oneOf ?? [variant],
    );
    rows.push({
      path: fieldPath,
      type: variants && variants.some((variant) => variant.properties) ? (isArray ? 'object[] (see below)' : 'object (see below)') : typeOf(property),
      required: required.has(name),
      defaultValue: property.default === undefined ? '' : `\`${JSON.stringify(property.default)}\``,
      description: (property.description ?? '').replace(/\|/g, '\\|'),
    });
    const itemPath = isArray ? `${fieldPath}[]` : fieldPath;
    if (variants?.some((variant) => variant.properties)) {
      for (const variant of variants) {
        if (!variant.properties) continue;
        const title = `\`${itemPath.replace(/\[\d*\]/g, '[]')}\` — ${discriminatorOf(variant) ?? 'variant'}`;
        // Every metric variant takes the same `method` union: list it once.
        if (!sections.some((section) => section.title === title)) sections.push({ title, schema: variant, path: itemPath });
      }
    } else if (isArray && property.items?.properties) {
      collectRows(property.items, itemPath, rows, sections);
    } else if (property.properties) {
      collectRows(property, fieldPath, rows, sections);
    }
  }
}

function table(rows: readonly Row[]): string {
  const lines = ['| field | type | required | default | description |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| \`${row.path}\` | ${row.type} | ${row.required ? 'yes' : ''} | ${row.defaultValue} | ${row.description} |`);
  return lines.join('\n');
}

/** `docs/policy-reference.md`: one table per object, generated from the JSON Schema. */
export function policyReferenceMarkdown(): string {
  const parts = [
    '# Policy reference',
    '',
    '<!-- Generated from schema/policy.schema.json by `npm run schema:generate`; do not edit by hand. -->',
    '',
    'A policy is YAML or JSON (or the same object in CDK props). Editors validate it with',
    '[`schema/policy.schema.json`](../schema/policy.schema.json), e.g. `# yaml-language-server: $schema=../schema/policy.schema.json`.',
    'Durations are strings with a unit: `"90s"`, `"2m"`, `"15m"`, `"1h"`; a bare number (`metricLag: 2`) is refused, since it could mean seconds or minutes. ' +
      "Each is at most 24h, and the bake and the canary watch must fit the hook's deadline: a CodeDeploy hook's hour, or an Amazon ECS native hook's own timeout when the evaluator has `ecsNativeMaxHookTimeout` (README, \"ECS native: bakes longer than an hour\"; `canary-eval validate --ecs-hook-timeout`).",
    '',
    '## Policy',
    '',
  ];
  const sections: Array<{ title: string; schema: JsonSchema; path: string }> = [];
  const rows: Row[] = [];
  collectRows(policyJsonSchema(), '', rows, sections);
  parts.push(table(rows), '');
  for (let index = 0; index < sections.length; index++) {
    const section = sections[index];
    const sectionRows: Row[] = [];
    collectRows(section.schema, section.path, sectionRows, sections);
    parts.push(`## ${section.title}`, '', table(sectionRows), '');
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
