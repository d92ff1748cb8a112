// Zod-free (the schema is in smoke-rules.ts), so the smoke Lambda's bundle can use it without the schema library.

/** The fields of a header's secret reference, as `secretReferenceSchema` (smoke-rules.ts) validates them. */
export interface SecretReferenceFields {
  readonly secret?: string;
  readonly jsonKey?: string;
  readonly parameter?: string;
  readonly prefix?: string;
  readonly kmsKeyArn?: string;
}

/** The secret references of a policy's smoke tests (each once), for the grant and the resolver. */
export function secretReferencesOf<R extends SecretReferenceFields>(tests: ReadonlyArray<{ readonly type?: string; readonly headers?: Readonly<Record<string, string | R>> }>): R[] {
  const seen = new Map<string, R>();
  for (const test of tests) {
    for (const value of Object.values(test.headers ?? {})) if (typeof value !== 'string') seen.set(secretReferenceKey(value), value);
  }
  return [...seen.values()];
}

/** One key per secret read: the same secret (and JSON key) is read once per invocation. */
export function secretReferenceKey(reference: SecretReferenceFields): string {
  return JSON.stringify([reference.secret ?? null, reference.jsonKey ?? null, reference.parameter ?? null]);
}
