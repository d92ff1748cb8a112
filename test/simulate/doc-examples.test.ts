import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyExamples, docExamples, DOC_FILES, markedExamples } from '../../lib/simulate/doc-examples';

const root = join(__dirname, '..', '..');

describe('the README and docs show what the tool prints', () => {
  let examples: Record<string, string>;
  beforeAll(async () => {
    examples = await docExamples();
  }, 120_000);

  test.each([...DOC_FILES])('%s: every marked example is the current output of its seeded run (else `npm run docs:examples`)', (file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    expect(markedExamples(markdown).length).toBeGreaterThan(0);
    expect(applyExamples(markdown, examples, file)).toBe(markdown);
  });

  test('the README opens with a verdict in the words every view prints, and no old notation remains in the examples', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(markedExamples(readme)).toContain('error-regression-headline');
    for (const text of Object.values(examples)) expect(text).not.toMatch(/E≥|pass-E|\[[\d.]+, [\d.]+\]|metric\(s\)/);
  });

  test('a stale or unknown example is found', () => {
    expect(applyExamples('a <!-- example:error-regression-headline -->old<!-- /example --> b', examples, 'x.md')).not.toContain('old');
    expect(() => applyExamples('<!-- example:nope -->x<!-- /example -->', examples, 'x.md')).toThrow('x.md: unknown example "nope"');
  });
});
