import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { RE2JS } from 're2js';
import type { EvaluationInput } from '../../lib/evaluation/state';
import { planEvaluation } from '../../lib/evaluation/steps';
import { parsePolicy, PolicyError, type Policy } from '../../lib/policy';

/**
 * Property test over generated and mutated policies (issue 11, "checks that must exist"): the
 * validator never crashes, names a path in every error, and accepts no policy that findings 3–4
 * describe. The accepted-policy checks are written independently of the validator: the plan the
 * evaluator would make must judge the whole window the policy asks for.
 */

/** Mostly valid values, some invalid: a policy has several fields, and each must be likely to pass for some policies to be accepted. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 });
const duration = mostly(fc.constantFrom('60s', '1m', '2m', '5m', '10m', '15m', '3m', 60, 120, 300, 600), fc.oneof(
  fc.constantFrom('30m', '1h', '45s', '90s', '0s', '2h', '99999999999999999999h', '10 minutes', ''),
  fc.tuple(fc.integer({ min: 0, max: 120 }), fc.constantFrom('s', 'm', 'h')).map(([n, unit]) => `${n}${unit}`),
  fc.integer({ min: -10, max: 5000 }),
  fc.constantFrom(1.5, 1e12, -5),
));
const stat = mostly(fc.constantFrom('Sum', 'Average', 'p99', 'p99.9', 'TC(800:)', 'TM(10%:90%)', 'PR(:300)', 'IQM', 'tm90'), fc.oneof(
  fc.constantFrom('p101', 'TC(abc)', 'PR(1%:)', 'TM(:)', 'sum', ''),
  fc.string({ maxLength: 8 }),
  fc.double({ min: 0, max: 200, noNaN: true }).map((p) => `p${p}`),
));
const dimensions = fc.dictionary(mostly(fc.constantFrom('Service', 'Env'), fc.oneof(fc.constantFrom(':x', ' ', ''), fc.string({ maxLength: 4 }))), mostly(fc.constantFrom('chat', 'prod'), fc.oneof(fc.constantFrom('', '  '), fc.string({ maxLength: 4 }))), { maxKeys: 2 });
const statSource = fc.record({ namespace: mostly(fc.constantFrom('App', 'AWS/Lambda'), fc.constant('')), metricName: fc.constantFrom('Errors', 'Latency'), stat, dimensions }, { requiredKeys: ['namespace', 'metricName'] });
const source = mostly(statSource, fc.constantFrom({ expression: 'SUM(SEARCH(\'{App,Version} Version="${VERSION}"\', \'Sum\', 60))' }, { expression: 'no placeholder' }));
const ratio = fc.oneof(fc.constantFrom(0.5, 1, 1.5, 2, 0, -1), fc.double({ min: -1, max: 5, noNaN: true }));
const threshold = fc.record({ type: fc.constant('threshold'), max: fc.oneof(fc.constantFrom(0, 0.05, 0.5, 1, 5), fc.double({ min: -1, max: 10, noNaN: true })), maxRatioToBaseline: ratio }, { requiredKeys: ['type'] });
const method = fc.oneof({ arbitrary: threshold, weight: 2 }, fc.constantFrom({ type: 'sequential' }, { type: 'sequential', tolerance: 1.2 }, { type: 'mann-whitney' }, { type: 'cost' }));
const versioning = mostly(fc.constantFrom({ type: 'lambda-alias' }, { type: 'dimension', dimension: 'Version' }), fc.constantFrom({ type: 'dimension', dimension: ':v' }, { type: 'alb-target-group' }));
const metric = fc.oneof(
  fc.record({ preset: fc.constantFrom('lambda-error-rate', 'lambda-throttle-rate', 'lambda-p99-duration', 'alb-5xx-rate', 'nope'), method }, { requiredKeys: ['preset'] }),
  fc.record({ name: fc.constantFrom('m1', 'm2'), kind: fc.constant('count'), count: source, total: source, versioning, direction: fc.constantFrom('increase', 'decrease'), method }, { requiredKeys: ['kind', 'count', 'total', 'versioning'] }),
  fc.record({ name: fc.constantFrom('g1', 'g2'), kind: fc.constant('gauge'), value: source, versioning, direction: fc.constantFrom('increase', 'decrease'), method }, { requiredKeys: ['kind', 'value', 'versioning'] }),
  { arbitrary: fc.constant(null), weight: 1 },
);
// A secret reference, valid or mutated (both sources, none, a bad ARN, a prefix with a line break).
const secretReference = mostly(
  fc.oneof(fc.constant({ secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token', prefix: 'Bearer ' }), fc.constant({ parameter: '/orders/api-key' })),
  fc.constantFrom({ secret: 'orders/token' }, { parameter: '/aws/x' }, { secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t', parameter: '/p' }, {}, { parameter: '/p', prefix: 'a\r\nb' }),
);
const headers = fc.dictionary(
  mostly(fc.constantFrom('X-Canary', 'Authorization'), fc.oneof(fc.constantFrom('X Bad', 'Bad:Name', ''), fc.string({ maxLength: 4 }))),
  mostly(fc.oneof(fc.constantFrom('ok', 'Bearer x'), secretReference), fc.oneof(fc.constantFrom('v\r\nInjected: 1', 'a\nb'), fc.string({ maxLength: 4 }))),
  { maxKeys: 2 },
);
const pattern = mostly(fc.constantFrom('^ok$', '^(a+)+$', '[0-9]+'), fc.oneof(fc.constantFrom('(', '(a)\\1', '(?<=a)b'), fc.string({ maxLength: 6 })));
const assertion = fc.record({ path: fc.constantFrom('$.ok', '$.body.status', '$..x'), equals: fc.constantFrom(true, 'ok'), matches: pattern }, { requiredKeys: ['path'] });
const url = mostly(fc.constantFrom('https://test.example.com/health', 'http://10.0.0.7:8080/'), fc.constantFrom('http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9001/', 'http://[::1]/', 'http://2130706433/', 'https://u:p@example.com/', 'ftp://example.com/', 'not a url'));
const smokeTest = fc.oneof(
  fc.record({ name: fc.constantFrom('s1', 's2'), phase: fc.constantFrom('pre-traffic', 'post-deploy', 'both'), expect: fc.record({ json: fc.array(assertion, { maxLength: 2 }) }) }, { requiredKeys: ['name'] }),
  fc.record({ name: fc.constantFrom('h1', 'h2'), type: fc.constant('http'), url, headers, phase: fc.constantFrom('pre-traffic', 'post-deploy', 'both'), expect: fc.record({ json: fc.array(assertion, { maxLength: 2 }) }) }, { requiredKeys: ['name', 'type', 'url'] }),
);
const policy = fc.record(
  {
    metrics: mostly(fc.array(metric, { minLength: 1, maxLength: 3 }), fc.constant([])),
    smokeTests: fc.array(smokeTest, { maxLength: 2 }),
    bake: fc.record({ duration, period: duration, enabled: fc.boolean() }, { requiredKeys: [] }),
    canaryWatch: fc.record({ enabled: fc.boolean(), period: duration, maxDuration: duration }, { requiredKeys: [] }),
    metricLag: duration,
    onEvaluatorError: mostly(fc.constantFrom('pass', 'fail'), fc.constant('maybe')),
  },
  { requiredKeys: [] },
);

/** Replaces or deletes one value somewhere in the policy: the mutated half of the inputs. */
function mutate(value: unknown, pick: number, replacement: unknown, remove: boolean): unknown {
  const slots: Array<{ parent: Record<string, unknown>; key: string }> = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      slots.push({ parent: node as Record<string, unknown>, key });
      walk((node as Record<string, unknown>)[key]);
    }
  };
  const copy = structuredClone(value);
  walk(copy);
  if (slots.length === 0) return replacement;
  const { parent, key } = slots[pick % slots.length];
  if (remove) delete parent[key];
  else parent[key] = replacement;
  return copy;
}
const input = fc.oneof(
  policy,
  fc.tuple(policy, fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, '__proto__', Number.POSITIVE_INFINITY, -0, '')), fc.boolean()).map(([p, pick, replacement, remove]) => mutate(p, pick, replacement, remove)),
  fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(undefined, null, 'metrics: []', [])),
);

// Independent of lib/policy: what CloudWatch documents as statistics (CloudWatch User Guide, "Statistics definitions").
const CLOUDWATCH_STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tm|wm|tc|ts)(100|\d{1,2}(\.\d+)?)|(TM|WM|TC|TS)\(\d+(\.\d+)?%?:(\d+(\.\d+)?%?)?\)|(TM|WM|TC|TS)\(:\d+(\.\d+)?%?\)|PR\((\d+(\.\d+)?)?:(\d+(\.\d+)?)?\))$/i;
const HOOK = '2026-12-02T10:00:30Z';

function planInput(lifecycleEvent: 'BeforeAllowTraffic' | 'AfterAllowTraffic'): EvaluationInput {
  return {
    deploymentId: 'd-FUZZ',
    lifecycleEventHookExecutionId: 'h',
    lifecycleEvent,
    applicationName: 'a',
    deploymentGroupName: 'g',
    target: { type: 'lambda', functionName: 'f', alias: 'live', currentVersion: '1', targetVersion: '2' },
    policyRef: { bucket: 'b', key: 'k' },
    hookInvokedAt: HOOK,
  };
}

/** Why an accepted policy is one findings 3–4 (or issue 10 item 5) describe; `undefined` when it is not. */
function defectOf(accepted: Policy): string | undefined {
  if (accepted.metrics.length === 0) return 'no metric';
  for (const [name, seconds] of [['bake.period', accepted.bake.period], ['canaryWatch.period', accepted.canaryWatch.period]] as const) {
    if (seconds % 60 !== 0) return `${name} ${seconds} is not whole minutes`;
  }
  for (const seconds of [accepted.bake.duration, accepted.bake.period, accepted.canaryWatch.period, accepted.canaryWatch.maxDuration, accepted.metricLag]) {
    if (!(seconds > 0 && seconds <= 3600)) return `unbounded duration ${seconds}`;
  }
  if (accepted.bake.enabled !== false) {
    if (accepted.bake.duration < accepted.bake.period) return 'bake shorter than its period';
    const plan = planEvaluation(planInput('AfterAllowTraffic'), accepted);
    if (plan.windowEnd - plan.windowStart < accepted.bake.duration) return `the bake window is cut to ${plan.windowEnd - plan.windowStart} s of ${accepted.bake.duration} s`;
  }
  if (accepted.canaryWatch.enabled) {
    if (accepted.canaryWatch.period > accepted.canaryWatch.maxDuration) return 'watch period > maxDuration';
    const plan = planEvaluation(planInput('BeforeAllowTraffic'), accepted);
    const window = plan.windowEnd - plan.windowStart;
    if (window < accepted.canaryWatch.maxDuration) return `the watch window is cut to ${window} s of ${accepted.canaryWatch.maxDuration} s`;
    if (window + accepted.metricLag + accepted.canaryWatch.period > 3300) return 'the watch outlasts the 55-minute evaluation timeout';
  }
  for (const metric of accepted.metrics) {
    const sources = metric.kind === 'count' ? [metric.count, metric.total] : metric.kind === 'gauge' ? [metric.value] : [];
    for (const src of sources) {
      if ('stat' in src) {
        const percentile = /^p(\d+(\.\d+)?)$/i.exec(src.stat);
        if (!CLOUDWATCH_STAT.test(src.stat) || (percentile && Number(percentile[1]) > 100)) return `statistic ${src.stat}`;
        for (const [name, value] of Object.entries(src.dimensions)) if (value.trim() === '' || name.trim() === '' || name.startsWith(':')) return `dimension ${JSON.stringify(name)}=${JSON.stringify(value)}`;
      }
    }
    if (metric.method.type === 'threshold') {
      const { max, maxRatioToBaseline } = metric.method;
      if (maxRatioToBaseline !== undefined && maxRatioToBaseline < 1) return `maxRatioToBaseline ${maxRatioToBaseline}`;
      if (metric.kind === 'count' && max !== undefined) {
        if (metric.direction === 'increase' ? max >= 1 : max <= 0 || max > 1) return `threshold.max ${max} on a ${metric.direction === 'increase' ? 'rate' : 'decreasing rate'}`;
      }
    }
  }
  for (const test of accepted.smokeTests) {
    for (const assertion of test.expect.json) {
      if (assertion.matches !== undefined) {
        try {
          RE2JS.compile(assertion.matches);
        } catch {
          return `regex ${assertion.matches}`;
        }
      }
    }
    if (test.type === 'http') {
      for (const [name, value] of Object.entries(test.headers)) {
        if (/[\s:\0]/.test(name) || name === '') return `header ${JSON.stringify(name)}`;
        // A plain value: no CR/LF/NUL, and never a credential header's; a reference: one source, no CR/LF in its prefix.
        if (typeof value === 'string' && (/[\r\n\0]/.test(value) || /^(authorization|proxy-authorization|x-api-key|cookie)$/i.test(name))) return `header ${JSON.stringify(name)}`;
        if (typeof value !== 'string' && ((value.secret === undefined) === (value.parameter === undefined) || /[\r\n\0]/.test(value.prefix ?? ''))) return `header ${JSON.stringify(name)}`;
      }
      const host = new URL(test.url).hostname;
      if (/^(127\.|169\.254\.|0\.)|^localhost$|^\[::1?\]$/.test(host)) return `url ${test.url}`;
    }
  }
  return undefined;
}

const ISSUE = /^(\(top level\)|(\[".*?"\]|[A-Za-z_$][\w$-]*)(\.[A-Za-z_$][\w$-]*|\[\d+\]|\[".*?"\])*): \S/;

describe('policy validation under 10,000+ generated and mutated policies', () => {
  test('never crashes, names a path in every error, and accepts no policy that judges nothing or fails every deployment', () => {
    let parses = 0;
    let accepted = 0;
    let elapsed = 0;
    fc.assert(
      fc.property(input, (candidate) => {
        const started = performance.now();
        let result: Policy | undefined;
        try {
          result = parsePolicy(candidate);
        } catch (error) {
          elapsed += performance.now() - started;
          parses++;
          if (!(error instanceof PolicyError)) throw new Error(`crash: ${(error as Error).stack}`);
          for (const issue of error.issues) {
            if (!ISSUE.test(issue)) throw new Error(`issue without a path: ${issue}`);
            if (issue.startsWith('(top level)') && !/Unrecognized key|expected object|Invalid input/.test(issue)) throw new Error(`top-level issue that should name a field: ${issue}`);
          }
          return;
        }
        elapsed += performance.now() - started;
        parses++;
        accepted++;
        const defect = defectOf(result);
        if (defect) throw new Error(`accepted a policy with ${defect}: ${JSON.stringify(candidate)}`);
      }),
      { numRuns: 10500, seed: 20261202 },
    );
    console.log(`policy fuzz: ${parses} parses, ${accepted} accepted, ${(elapsed / parses).toFixed(3)} ms per parse`);
    expect(parses).toBeGreaterThanOrEqual(10000);
    // The generators must reach both sides, or the property says little.
    expect(accepted).toBeGreaterThan(100);
    expect(parses - accepted).toBeGreaterThan(1000);
  });
});
