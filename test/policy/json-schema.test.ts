import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchema, policyJsonSchemaText, policyReferenceMarkdown } from '../../lib/policy/json-schema';

const root = join(__dirname, '..', '..');

describe('policy JSON Schema', () => {
  test('the committed schema/policy.schema.json is up to date (run `npm run schema:generate`)', () => {
    expect(readFileSync(join(root, 'schema', 'policy.schema.json'), 'utf8')).toBe(policyJsonSchemaText());
  });

  test('the committed docs/policy-reference.md is up to date (run `npm run schema:generate`)', () => {
    expect(readFileSync(join(root, 'docs', 'policy-reference.md'), 'utf8')).toBe(policyReferenceMarkdown());
  });

  test('describes metrics as written: every preset with its parameters, and custom metrics', () => {
    const text = JSON.stringify(policyJsonSchema().properties);
    for (const preset of ['lambda-error-rate', 'lambda-slow-requests', 'alb-5xx-rate', 'alb-slow-requests', 'bedrock-cost-per-request']) expect(text).toContain(`"const":"${preset}"`);
    expect(text).toContain('"thresholdMs"');
    expect(text).toContain('"const":"count"');
    expect(text).not.toMatch(/"items":\{\}/);
  });
});
