/**
 * Small hand-written validation for what crosses a Lambda boundary (execution input, state, requests).
 * The Lambdas avoid zod on purpose: it adds ~440 KB to every bundle and its load time to every cold
 * start, for shapes this simple. Errors name the path of the bad field, like the policy's do.
 */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export type Json = Record<string, unknown>;

export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StateError(`${path}: expected an object, got ${describe(value)}`);
  return value as Json;
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new StateError(`${path}: expected a non-empty string, got ${describe(value)}`);
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

export function integer(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new StateError(`${path}: expected an integer, got ${describe(value)}`);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new StateError(`${path}: expected true or false, got ${describe(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StateError(`${path}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

export function isoDate(value: unknown, path: string): string {
  const text = string(value, path);
  if (Number.isNaN(Date.parse(text))) throw new StateError(`${path}: expected an ISO 8601 date-time, got "${text}"`);
  return text;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}
