import type { SecretReference } from './smoke-rules';

// Zod-free, so the smoke Lambda's bundle can use it without the schema library.

/** The secret references of a policy's smoke tests (each once), for the grant and the resolver. */
export function secretReferencesOf(tests: ReadonlyArray<{ readonly type?: string; readonly headers?: Readonly<Record<string, string | SecretReference>> }>): SecretReference[] {
  const seen = new Map<string, SecretReference>();
  for (const test of tests) {
    for (const value of Object.values(test.headers ?? {})) if (typeof value !== 'string') seen.set(secretReferenceKey(value), value);
  }
  return [...seen.values()];
}

/** One key per secret read: the same secret (and JSON key) is read once per invocation. */
export function secretReferenceKey(reference: SecretReference): string {
  return JSON.stringify([reference.secret ?? null, reference.jsonKey ?? null, reference.parameter ?? null]);
}
