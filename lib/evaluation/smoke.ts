import type { HttpSmokeTest, LambdaSmokeTest, SecretReference, SmokeTest } from '../policy';
import { secretReferenceKey, secretReferencesOf } from '../policy/secret-refs';
import { compilePattern, deniedHostReason } from '../policy/smoke-safety';
import { maskSecrets, sendableSecret } from './secret-masking';
import type { FunctionInvoker, HttpClient, SecretResolver } from './ports';
import type { DeploymentTarget } from './state';

export type SmokePhase = 'pre-traffic' | 'post-deploy';

export interface SmokeCheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly attempts: number;
  /** Latency of the last attempt, milliseconds. */
  readonly latencyMs: number;
  /** Why the last attempt failed. */
  readonly reason?: string;
}

/** What the smoke-test step returns into state: small, whatever the number of tests. */
export interface SmokeSummary {
  readonly passed: boolean;
  readonly ran: number;
  readonly failed: number;
  readonly reason: string;
}

export interface SmokeDependencies {
  readonly invoker: FunctionInvoker;
  readonly http: HttpClient;
  /** Milliseconds, monotonic (`performance.now`). */
  readonly stopwatch: () => number;
  readonly concurrency: number;
  /**
   * Why a host must not be called, or `undefined`. Checked again at run time (a policy stored by an
   * older construct was not validated for it). @default - deny loopback and link-local (`deniedHostReason`)
   */
  readonly hostProblem?: (host: string) => string | undefined;
  /** Reads the headers' secret references. @default - a test with a reference fails, saying none can be read */
  readonly secrets?: SecretResolver;
}

/** The secrets of one run, read once each: the value as it is sent, or why it cannot be (naming the reference, never a value). */
type ResolvedSecrets = ReadonlyMap<string, SecretEntry>;

function describeReference(reference: SecretReference): string {
  return reference.secret !== undefined ? `Secrets Manager secret ${reference.secret}${reference.jsonKey ? ` (key ${reference.jsonKey})` : ''}` : `SSM parameter ${reference.parameter}`;
}

type SecretEntry = { readonly value: string } | { readonly problem: string };

async function resolveSecrets(tests: readonly SmokeTest[], resolver: SecretResolver | undefined): Promise<ResolvedSecrets> {
  const references = secretReferencesOf(tests);
  const read = async (reference: SecretReference): Promise<SecretEntry> => {
    if (!resolver) return { problem: `${describeReference(reference)} cannot be read here (no secret resolver)` };
    let stored: string;
    try {
      stored = await resolver.resolve(reference);
    } catch (error) {
      // The error's name only: a message may quote what was read.
      return { problem: `could not read ${describeReference(reference)}: ${(error as Error).name}` };
    }
    const sendable = sendableSecret(stored);
    return 'value' in sendable ? sendable : { problem: `the value of ${describeReference(reference)} ${sendable.problem}` };
  };
  return new Map(await Promise.all(references.map(async (reference) => [secretReferenceKey(reference), await read(reference)] as const)));
}

/** Masks every secret as sent, and its encodings, in a text (a reason may quote a response that echoes a header, or an error message). */
function redactSecrets(text: string, secrets: ResolvedSecrets): string {
  return maskSecrets(text, [...secrets.values()].flatMap((entry) => ('value' in entry ? [entry.value] : [])));
}

type JsonAssertion = LambdaSmokeTest['expect']['json'][number];

/** Reads `$.a.b[0]` from a value. A string met on the way is parsed as JSON (API Gateway responses carry `body` as JSON text). */
export function readJsonPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((match) => match[1] ?? Number(match[2]));
  let current = value;
  for (const step of steps) {
    if (typeof current === 'string') {
      try {
        current = JSON.parse(current);
      } catch {
        return { found: false };
      }
    }
    // Own properties only: `in` would find `toString`, `constructor` or `__proto__` on every object.
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, step)) return { found: false };
    current = (current as Record<string | number, unknown>)[step];
  }
  return { found: true, value: current };
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** The first failing assertion, described; `undefined` when all hold. */
export function checkJsonAssertions(document: unknown, assertions: readonly JsonAssertion[]): string | undefined {
  for (const assertion of assertions) {
    const { found, value } = readJsonPath(document, assertion.path);
    if (!found) return `${assertion.path} is missing from the response`;
    if (assertion.equals !== undefined && !sameJson(value, assertion.equals)) {
      return `${assertion.path} is ${JSON.stringify(value)}, expected ${JSON.stringify(assertion.equals)}`;
    }
    if (assertion.matches !== undefined) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      // RE2 (linear time): the pattern runs on the new version's response, which the evaluator does not control.
      if (!compilePattern(assertion.matches).matcher(text).find()) return `${assertion.path} is ${JSON.stringify(value)}, expected to match /${assertion.matches}/`;
    }
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function latencyProblem(latencyMs: number, maxLatencyMs: number | undefined): string | undefined {
  return maxLatencyMs !== undefined && latencyMs > maxLatencyMs ? `took ${Math.round(latencyMs)} ms, more than ${maxLatencyMs} ms` : undefined;
}

async function attemptLambda(test: LambdaSmokeTest, target: DeploymentTarget, deps: SmokeDependencies): Promise<{ latencyMs: number; problem?: string }> {
  if (target.type !== 'lambda') {
    return { latencyMs: 0, problem: `a Lambda smoke test invokes the new Lambda version, but this is an ${target.type.toUpperCase()} deployment; use an http smoke test (e.g. against the test listener)` };
  }
  const started = deps.stopwatch();
  let result;
  try {
    result = await deps.invoker.invoke(target.functionName, target.targetVersion, JSON.stringify(test.payload ?? {}));
  } catch (error) {
    return { latencyMs: deps.stopwatch() - started, problem: `could not invoke ${target.functionName}:${target.targetVersion}: ${(error as Error).name}: ${(error as Error).message}` };
  }
  const latencyMs = deps.stopwatch() - started;
  const response = parseJson(result.payload);
  const problem =
    (test.expect.noFunctionError && result.functionError ? `function error (${result.functionError}): ${result.payload.slice(0, 200)}` : undefined) ??
    (test.expect.statusCode !== undefined && (response as { statusCode?: unknown } | null)?.statusCode !== test.expect.statusCode
      ? `statusCode is ${JSON.stringify((response as { statusCode?: unknown } | null)?.statusCode)}, expected ${test.expect.statusCode}`
      : undefined) ??
    checkJsonAssertions(response, test.expect.json ?? []) ??
    latencyProblem(latencyMs, test.expect.maxLatencyMs);
  return { latencyMs, problem };
}

function defaultHostProblem(host: string): string | undefined {
  const reason = deniedHostReason(host);
  return reason ? `${host} is ${reason}` : undefined;
}

/** The request's headers with references replaced by their values, or the first reference that could not be read. */
function resolvedHeaders(test: HttpSmokeTest, secrets: ResolvedSecrets): { headers: Record<string, string> } | { problem: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(test.headers)) {
    if (typeof value === 'string') {
      headers[name] = value;
      continue;
    }
    const secret = secrets.get(secretReferenceKey(value));
    if (!secret || 'problem' in secret) return { problem: `${test.method} ${test.url} not called: header ${name}: ${secret && 'problem' in secret ? secret.problem : 'not read'}` };
    headers[name] = `${value.prefix ?? ''}${secret.value}`;
  }
  return { headers };
}

async function attemptHttp(test: HttpSmokeTest, deps: SmokeDependencies, secrets: ResolvedSecrets): Promise<{ latencyMs: number; problem?: string }> {
  const resolved = resolvedHeaders(test, secrets);
  if ('problem' in resolved) return { latencyMs: 0, problem: resolved.problem };
  const headers = resolved.headers;
  let body: string | undefined;
  if (test.body !== undefined) {
    body = typeof test.body === 'string' ? test.body : JSON.stringify(test.body);
    if (typeof test.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  let host: string;
  try {
    host = new URL(test.url).hostname;
  } catch {
    return { latencyMs: 0, problem: `${test.method} ${test.url}: not a URL` };
  }
  const denied = (deps.hostProblem ?? defaultHostProblem)(host);
  if (denied) return { latencyMs: 0, problem: `${test.method} ${test.url} not called: ${denied}` };
  const started = deps.stopwatch();
  let response;
  try {
    response = await deps.http.request({ url: test.url, method: test.method, headers, body, timeoutMs: test.timeoutMs });
  } catch (error) {
    return { latencyMs: deps.stopwatch() - started, problem: `${test.method} ${test.url} failed: ${(error as Error).message}` };
  }
  const latencyMs = deps.stopwatch() - started;
  const problem =
    (response.status !== test.expect.status ? `${test.method} ${test.url} returned ${response.status}, expected ${test.expect.status}` : undefined) ??
    checkJsonAssertions(parseJson(response.body), test.expect.json ?? []) ??
    latencyProblem(latencyMs, test.expect.maxLatencyMs);
  return { latencyMs, problem };
}

async function runOne(test: SmokeTest, target: DeploymentTarget, deps: SmokeDependencies, secrets: ResolvedSecrets): Promise<SmokeCheckResult> {
  const attempts = (test.retries ?? 0) + 1;
  let last: { latencyMs: number; problem?: string } = { latencyMs: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = test.type === 'http' ? await attemptHttp(test, deps, secrets) : await attemptLambda(test, target, deps);
    if (!last.problem) return { name: test.name, passed: true, attempts: attempt, latencyMs: last.latencyMs };
  }
  return { name: test.name, passed: false, attempts, latencyMs: last.latencyMs, reason: redactSecrets(last.problem ?? '', secrets) };
}

/** The policy's smoke tests for a phase (`phase: both` runs in each). */
export function smokeTestsFor(tests: readonly SmokeTest[], phase: SmokePhase): SmokeTest[] {
  return tests.filter((test) => (test.phase ?? 'both') === 'both' || test.phase === phase);
}

/**
 * Runs smoke tests with at most `concurrency` in flight: one Lambda with a small worker pool rather than a
 * Map state, because a handful of short checks cost fewer state transitions and no per-item result
 * plumbing this way, and the Lambda timeout bounds the whole run.
 */
export async function runSmokeTests(tests: readonly SmokeTest[], target: DeploymentTarget, deps: SmokeDependencies): Promise<{ summary: SmokeSummary; results: SmokeCheckResult[] }> {
  const results: SmokeCheckResult[] = new Array(tests.length);
  // Each secret is read once per run, before any test, and masked in every reason (summary included).
  const secrets = await resolveSecrets(tests, deps.secrets);
  let next = 0;
  const worker = async () => {
    while (next < tests.length) {
      const index = next++;
      results[index] = await runOne(tests[index], target, deps, secrets);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, deps.concurrency), tests.length) }, worker));
  const failed = results.filter((result) => !result.passed);
  const reason =
    failed.length === 0
      ? `${results.length} smoke test(s) passed`
      : `${failed.length} of ${results.length} smoke test(s) failed: ${failed.map((result) => `${result.name}: ${result.reason}`).join('; ').slice(0, 1500)}`;
  return { summary: { passed: failed.length === 0, ran: results.length, failed: failed.length, reason }, results };
}
