/** Writes schema/policy.schema.json and docs/policy-reference.md from the zod policy schema. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchemaText, policyReferenceMarkdown } from '../lib/policy/json-schema';

const root = join(__dirname, '..');
writeFileSync(join(root, 'schema', 'policy.schema.json'), policyJsonSchemaText());
writeFileSync(join(root, 'docs', 'policy-reference.md'), policyReferenceMarkdown());
console.log('wrote schema/policy.schema.json and docs/policy-reference.md');
