import { parsePolicy, PolicyError, type PolicyInput } from '../../lib/policy';
import { timingIssues } from '../../lib/policy/fit';

/** Issue 11 findings 3–4 and issue 10 item 5: policies that judge nothing, or fail every deployment, are rejected with the path. */
const METRIC = { preset: 'lambda-error-rate' } as const;
const base = (overrides: Partial<Record<keyof PolicyInput, unknown>>): unknown => ({ metrics: [METRIC], ...overrides });

function issuesOf(input: unknown): readonly string[] {
  try {
    parsePolicy(input);
  } catch (error) {
    if (error instanceof PolicyError) return error.issues;
    throw error;
  }
  return [];
}

const customGauge = (value: Record<string, unknown>) => ({ metrics: [{ name: 'm', kind: 'gauge', value: { namespace: 'App', metricName: 'Latency', ...value }, versioning: { type: 'lambda-alias' } }] });
const httpTest = (test: Record<string, unknown>) => base({ smokeTests: [{ name: 'h', type: 'http', url: 'https://test.example.com/health', ...test }] });

describe('policies that judge nothing and pass are rejected (finding 3)', () => {
  test.each([
    ['metricLag: 1h', base({ metricLag: '1h' }), 'metricLag: 60 min (3600 s) is longer than 15 min'],
    ['bake.period: 2h', base({ bake: { duration: '10m', period: '2h' } }), 'bake.period: "2h" is longer than 1s–1h'],
    ['a huge duration', base({ bake: { duration: '99999999999999999999h' } }), 'bake.duration: "99999999999999999999h" is longer than 1s–1h'],
    ['a huge number of seconds', base({ canaryWatch: { maxDuration: 1e12 } }), 'canaryWatch.maxDuration: expected at most 60 min'],
    ['a zero duration', base({ bake: { duration: '0s' } }), 'bake.duration: "0s" is not within 1s–1h'],
    ['a bake that cannot fit the hour', base({ bake: { duration: '50m' } }), "bake.duration: 50 min (3000 s) does not fit the hook's hour"],
    ['a bake that fits only without post-deploy smoke tests', base({ bake: { duration: '45m' }, smokeTests: [{ name: 's' }] }), "bake.duration: 45 min (2700 s) does not fit the hook's hour"],
    ['threshold.max: 5 on a rate', { metrics: [{ ...METRIC, method: { type: 'threshold', max: 5 } }] }, "metrics[0].method.max: a count metric's rate is at most 1"],
    ['threshold.max: 1 on a rate', { metrics: [{ ...METRIC, method: { type: 'threshold', max: 1 } }] }, "metrics[0].method.max: a count metric's rate is at most 1"],
    ['threshold.max: 0 on a decreasing rate', { metrics: [{ name: 'ok', kind: 'count', count: { namespace: 'A', metricName: 'Ok' }, total: { namespace: 'A', metricName: 'All' }, versioning: { type: 'lambda-alias' }, direction: 'decrease', method: { type: 'threshold', max: 0 } }] }, "metrics[0].method.max: a count metric's rate is never below 0"],
    ['no metric', { metrics: [] }, 'metrics: a policy needs at least one metric'],
    ['an empty policy', {}, 'metrics: a policy needs at least one metric'],
  ])('%s', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.some((issue) => issue.startsWith(expected))).toBe(true);
  });
});

describe('policies CloudWatch or CodeDeploy would reject at run time are rejected at validation (finding 4, issue 10 item 5)', () => {
  test.each([
    ['a 45 s period', base({ bake: { duration: '10m', period: '45s' } }), 'bake.period: 45 s is not a multiple of 60 s'],
    ['a 90 s watch period', base({ canaryWatch: { period: '90s' } }), 'canaryWatch.period: 90 s is not a multiple of 60 s'],
    ['a bake shorter than its period', base({ bake: { duration: '2m', period: '5m' } }), 'bake.duration: 2 min (120 s) is shorter than bake.period'],
    ['canaryWatch.period > maxDuration', base({ canaryWatch: { period: '10m', maxDuration: '5m' } }), 'canaryWatch.period: 10 min (600 s) is longer than canaryWatch.maxDuration'],
    ['canaryWatch.maxDuration past the evaluation window', base({ canaryWatch: { maxDuration: '55m' } }), "canaryWatch.maxDuration: 55 min (3300 s) does not fit the hook's hour"],
    ['statistic p101', customGauge({ stat: 'p101' }), 'metrics[0].value.stat: "p101": a percentile is between 0 and 100'],
    ['statistic TC(abc)', customGauge({ stat: 'TC(abc)' }), 'metrics[0].value.stat: "TC(abc)"'],
    ['statistic sum (case)', customGauge({ stat: 'sum' }), 'metrics[0].value.stat: "sum" is not a CloudWatch statistic'],
    ['an empty dimension value', customGauge({ dimensions: { Service: '' } }), 'metrics[0].value.dimensions.Service: a dimension value cannot be empty'],
    ['a blank dimension value', customGauge({ dimensions: { Service: '   ' } }), 'metrics[0].value.dimensions.Service: a dimension value needs a non-whitespace character'],
    ['a dimension name starting with a colon', customGauge({ dimensions: { ':x': 'y' } }), 'metrics[0].value.dimensions[":x"]: dimension name: a dimension name cannot start with ":"'],
    ['maxRatioToBaseline below 1', { metrics: [{ ...METRIC, method: { type: 'threshold', maxRatioToBaseline: 0.5 } }] }, 'metrics[0].method.maxRatioToBaseline: expected at least 1'],
    ['a header name with a space', httpTest({ headers: { 'X Bad': 'v' } }), 'smokeTests[0].headers["X Bad"]: a header name is a token'],
    ['a header value with CRLF', httpTest({ headers: { 'X-Ok': 'v\r\nInjected: 1' } }), 'smokeTests[0].headers.X-Ok: a header value cannot contain CR, LF or NUL'],
    ['an invalid regex', base({ smokeTests: [{ name: 's', expect: { json: [{ path: '$.ok', matches: '(' }] } }] }), 'smokeTests[0].expect.json[0].matches: not a valid RE2 regular expression'],
    ['a backreference', base({ smokeTests: [{ name: 's', expect: { json: [{ path: '$.ok', matches: '(a)\\1' }] } }] }), 'smokeTests[0].expect.json[0].matches: not a valid RE2 regular expression'],
    ['instance metadata', httpTest({ url: 'http://169.254.169.254/latest/meta-data/' }), 'smokeTests[0].url: 169.254.169.254 is link-local'],
    ['the Lambda runtime API', httpTest({ url: 'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next' }), 'smokeTests[0].url: 127.0.0.1 is loopback'],
    ['loopback written as a number', httpTest({ url: 'http://2130706433/' }), 'smokeTests[0].url: 127.0.0.1 is loopback'],
    ['IPv6 loopback', httpTest({ url: 'http://[::1]:8080/' }), 'smokeTests[0].url: [::1] is loopback'],
    ['credentials in the URL', httpTest({ url: 'https://user:secret@test.example.com/' }), 'smokeTests[0].url: credentials in a URL'],
  ])('%s', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.some((issue) => issue.startsWith(expected))).toBe(true);
  });

  test.each([
    ['statistics CloudWatch accepts', customGauge({ stat: 'p99.9' })],
    ['a trimmed count', customGauge({ stat: 'TC(800:)' })],
    ['a trimmed mean by percent', customGauge({ stat: 'TM(10%:90%)' })],
    ['a percentile rank', customGauge({ stat: 'PR(:300)' })],
    ['the default policy with one metric', base({})],
    ['a 20-minute bake at 2-minute periods with smoke tests', base({ bake: { duration: '20m', period: '2m' }, smokeTests: [{ name: 's' }] })],
    ['maxRatioToBaseline of exactly 1', { metrics: [{ ...METRIC, method: { type: 'threshold', maxRatioToBaseline: 1 } }] }],
    ['a private test listener', httpTest({ url: 'http://10.0.3.7:8080/health', headers: { 'X-Canary': 'yes' } })],
    ['an RE2 pattern', base({ smokeTests: [{ name: 's', expect: { json: [{ path: '$.v', matches: '^v\\d+\\.\\d+$' }] } }] })],
  ])('accepts %s', (_name, input) => {
    expect(issuesOf(input)).toEqual([]);
  });

  test('at synth, a custom evaluation timeout shorter than the watch is named', () => {
    const policy = parsePolicy(base({ canaryWatch: { maxDuration: '30m' } }));
    expect(timingIssues(policy, 1800)).toEqual([expect.objectContaining({ path: ['canaryWatch', 'maxDuration'], message: expect.stringContaining('longer than the evaluation timeout (30 min (1800 s))') })]);
    expect(timingIssues(policy)).toEqual([]);
  });
});

describe('smoke-test header secrets by reference (finding 10)', () => {
  const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token';
  test('a secret, a JSON key of one, a parameter by name or ARN, with a prefix and a customer key, are accepted', () => {
    const headers = {
      Authorization: { secret: SECRET, prefix: 'Bearer ' },
      'X-Api-Key': { parameter: '/orders/api-key', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      'X-Tenant-Token': { secret: `${SECRET}-AbC123`, jsonKey: 'tenant' },
      'X-Other': { parameter: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/key' },
      'X-Plain': 'not secret',
    };
    expect(issuesOf(httpTest({ headers }))).toEqual([]);
  });

  test.each([
    ['a plain-text Authorization header', { Authorization: 'Bearer abc' }, 'smokeTests[0].headers.Authorization: the Authorization header in plain text sits in the policy asset'],
    ['a plain-text cookie (any case)', { COOKIE: 'session=1' }, 'smokeTests[0].headers.COOKIE: the COOKIE header in plain text'],
    ['both a secret and a parameter', { 'X-Key': { secret: SECRET, parameter: '/a' } }, 'smokeTests[0].headers.X-Key: give exactly one of `secret`'],
    ['neither', { 'X-Key': { prefix: 'Bearer ' } }, 'smokeTests[0].headers.X-Key: give exactly one of `secret`'],
    ['a secret that is not an ARN', { 'X-Key': { secret: 'orders/token' } }, 'smokeTests[0].headers.X-Key.secret: a Secrets Manager secret ARN'],
    ['a parameter under the reserved aws prefix', { 'X-Key': { parameter: '/aws/reference/x' } }, 'smokeTests[0].headers.X-Key.parameter: an SSM parameter name'],
    ['jsonKey on a parameter', { 'X-Key': { parameter: '/a', jsonKey: 'k' } }, 'smokeTests[0].headers.X-Key.jsonKey: `jsonKey` picks a key of a JSON secret'],
    ['a prefix with a line break', { 'X-Key': { parameter: '/a', prefix: 'Bearer\r\nX: y' } }, 'smokeTests[0].headers.X-Key.prefix: a header value cannot contain CR, LF or NUL'],
    ['an unknown field', { 'X-Key': { parameter: '/a', value: 'x' } }, 'smokeTests[0].headers.X-Key'],
    ['a KMS alias instead of a key ARN', { 'X-Key': { parameter: '/a', kmsKeyArn: 'alias/orders' } }, 'smokeTests[0].headers.X-Key.kmsKeyArn: a KMS key ARN'],
  ])('rejected: %s', (_name, headers, expected) => {
    const issues = issuesOf(httpTest({ headers }));
    expect(issues.some((issue) => issue.startsWith(expected))).toBe(true);
  });
});
