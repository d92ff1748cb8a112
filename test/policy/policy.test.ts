import { join } from 'node:path';
import { loadPolicyFile, parsePolicy, PolicyError } from '../../lib/policy';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'policies', name);

function issuesOf(input: unknown): readonly string[] {
  try {
    parsePolicy(input);
  } catch (error) {
    if (error instanceof PolicyError) return error.issues;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('parsePolicy', () => {
  test('expands presets and applies defaults', () => {
    const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
    expect(policy.metrics[0]).toMatchObject({
      name: 'lambda-error-rate',
      kind: 'count',
      critical: true,
      direction: 'increase',
      versioning: { type: 'lambda-alias' },
      count: { namespace: 'AWS/Lambda', metricName: 'Errors', stat: 'Sum' },
      total: { namespace: 'AWS/Lambda', metricName: 'Invocations', stat: 'Sum' },
    });
    expect(policy.bake).toEqual({ duration: 600, period: 60 });
    expect(policy.metricLag).toBe(120);
    expect(policy.onEvaluatorError).toBe('fail');
    expect(policy.smokeTests).toEqual([]);
  });

  test('parses durations with units', () => {
    expect(parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '15m', period: '120s' }, metricLag: '5m' })).toMatchObject({
      bake: { duration: 900, period: 120 },
      metricLag: 300,
    });
  });

  test('reads the documented YAML example', () => {
    const policy = loadPolicyFile(fixture('lambda-basic.yaml'));
    expect(policy.metrics.map((metric) => metric.name)).toEqual(['lambda-error-rate', 'lambda-p99-duration', 'checkout-failures']);
    expect(policy.metrics[2]).toMatchObject({ kind: 'count', versioning: { type: 'dimension', dimension: 'Version' } });
    expect(policy.smokeTests[0]).toMatchObject({ name: 'health', expect: { statusCode: 200, maxLatencyMs: 1500, noFunctionError: true } });
  });

  test.each([
    ['a wrong type', { metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', max: 'x' } }] }, 'metrics[0].method.max: Invalid input: expected number, received string'],
    ['an unknown preset', { metrics: [{ preset: 'lambda-nope' }] }, 'metrics[0].preset: Invalid option'],
    ['a missing field', { metrics: [{ name: 'm', kind: 'gauge', versioning: { type: 'lambda-alias' } }] }, 'metrics[0].value: Invalid input: expected object, received undefined'],
    ['an unknown field', { metrics: [], bak: {} }, '(top level): Unrecognized key: "bak"'],
    ['a bad duration', { bake: { duration: '10 minutes' } }, 'bake.duration: expected a duration with a unit, such as "60s", "2m", "15m" or "1h"'],
    ['a threshold without a bound', { metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold' } }] }, 'metrics[0].method: a threshold needs `max`, `maxRatioToBaseline` or both'],
    ['a duplicate metric name', { metrics: [{ preset: 'lambda-error-rate' }, { preset: 'lambda-error-rate' }] }, 'metrics[1].name: duplicate metric name "lambda-error-rate" (also metrics[0])'],
    ['a custom metric without a name', { metrics: [{ kind: 'gauge', value: { namespace: 'A', metricName: 'B' }, versioning: { type: 'lambda-alias' } }] }, 'metrics[0].name: a custom metric needs a name'],
    ['an expression without ${VERSION}', { metrics: [{ name: 'm', kind: 'gauge', value: { expression: 'SUM(SEARCH(\'{A} MetricName="B"\', \'Sum\', 60))' }, versioning: { type: 'lambda-alias' } }] }, 'metrics[0].value.expression: an expression must contain ${VERSION}'],
    ['an expression mixed with a MetricStat', { metrics: [{ name: 'm', kind: 'gauge', value: { expression: 'X("${VERSION}")', namespace: 'A' }, versioning: { type: 'lambda-alias' } }] }, 'metrics[0].value.namespace: give either `expression` or namespace/metricName/stat/dimensions, not both'],
    ['a MetricStat without metricName', { metrics: [{ name: 'm', kind: 'gauge', value: { namespace: 'A' }, versioning: { type: 'lambda-alias' } }] }, 'metrics[0].value.metricName: expected a string (or give `expression` instead)'],
    ['an unknown onTimeout', { onTimeout: 'maybe' }, 'onTimeout: Invalid option: expected one of "inconclusive"|"pass"|"fail"'],
  ])('fails on %s with a path-named error', (_case, input, expected) => {
    expect(issuesOf(input).some((issue) => issue.startsWith(expected))).toBe(true);
  });

  test('names every bad path of a file at once', () => {
    expect(() => loadPolicyFile(fixture('invalid.yaml'))).toThrow(PolicyError);
    try {
      loadPolicyFile(fixture('invalid.yaml'));
    } catch (error) {
      const { issues, message } = error as PolicyError;
      expect(message).toContain('invalid.yaml is invalid');
      expect(issues).toEqual([
        'metrics[0].method.max: Invalid input: expected number, received string',
        'metrics[1].value: Invalid input: expected object, received undefined',
        'bake.duration: expected a duration with a unit, such as "60s", "2m", "15m" or "1h"',
      ]);
    }
  });

  test('fails on an unreadable file and on broken YAML', () => {
    expect(() => loadPolicyFile(fixture('missing.yaml'))).toThrow(/missing\.yaml: not found/);
    expect(() => parsePolicy(undefined)).toThrow(PolicyError);
  });
});
