// `npm run docs:examples`: rewrites the examples marked in the README and docs from real seeded runs
// (lib/simulate/doc-examples.ts); test/simulate/doc-examples.test.ts fails while one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { applyExamples, docExamples, DOC_FILES } from '../lib/simulate/doc-examples';

async function main(): Promise<void> {
  const examples = await docExamples();
  for (const file of DOC_FILES) {
    const before = readFileSync(file, 'utf8');
    const after = applyExamples(before, examples, file);
    if (after !== before) writeFileSync(file, after);
    console.log(`${file}: ${after === before ? 'current' : 'updated'}`);
  }
}

main().catch((error: Error) => {
  console.error(`docs:examples: ${error.message}`);
  process.exit(1);
});
