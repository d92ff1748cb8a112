import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { validateCommand } from '../../lib/cli/validate-command';
import { CanaryEvaluator } from '../../lib/constructs';
import { parsePolicy, PolicyError, type PolicyInput } from '../../lib/policy';
import { timingIssues } from '../../lib/policy/fit';
import { policyWarnings } from '../../lib/policy/warnings';

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
    ['bake.period: 2h', base({ bake: { duration: '10m', period: '2h' } }), 'bake.duration: 10 min (600 s) is shorter than bake.period (120 min (7200 s))'],
    ['a huge duration', base({ bake: { duration: '99999999999999999999h' } }), 'bake.duration: "99999999999999999999h" is longer than 1s–24h'],
    ['a huge number of seconds', base({ canaryWatch: { maxDuration: 1e12 } }), 'canaryWatch.maxDuration: 1000000000000 has no unit'],
    ['a zero duration', base({ bake: { duration: '0s' } }), 'bake.duration: "0s" is not within 1s–24h'],
    ['a bake that cannot fit the hour', base({ bake: { duration: '50m' } }), "bake.duration: 50 min (3000 s) does not fit the hook's hour"],
    ['a bake that fits only without post-deploy smoke tests', base({ bake: { duration: '45m' }, smokeTests: [{ name: 's' }] }), "bake.duration: 45 min (2700 s) does not fit the hook's hour"],
    ['threshold.max: 5 on a rate', { metrics: [{ ...METRIC, method: { type: 'threshold', max: 5 } }] }, "metrics[0].method.max: a count metric's rate is at most 1"],
    ['threshold.max: 1 on a rate', { metrics: [{ ...METRIC, method: { type: 'threshold', max: 1 } }] }, "metrics[0].method.max: a count metric's rate is at most 1"],
    ['threshold.max: 0 on a decreasing rate', { metrics: [{ name: 'ok', kind: 'count', count: { namespace: 'A', metricName: 'Ok' }, total: { namespace: 'A', metricName: 'All' }, versioning: { type: 'lambda-alias' }, direction: 'decrease', method: { type: 'threshold', max: 0 } }] }, "metrics[0].method.max: a count metric's rate is never below 0"],
    ['count and total reading the same series', { metrics: [{ name: 'same', kind: 'count', count: { namespace: 'A', metricName: 'Calls', dimensions: { x: '1', y: '2' } }, total: { namespace: 'A', metricName: 'Calls', dimensions: { y: '2', x: '1' } }, versioning: { type: 'lambda-alias' } }] }, 'metrics[0].total: reads the same data as `count`, so the rate is always 1'],
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

describe('durations need a unit; values that look like the wrong unit warn (issue 25 item 4)', () => {
  test.each([
    ['metricLag: 2 (two minutes or two seconds?)', base({ metricLag: 2 }), 'metricLag: 2 has no unit: write "2m" for minutes or "2s" for seconds'],
    ['bake.period: 60', base({ bake: { duration: '10m', period: 60 } }), 'bake.period: 60 has no unit: write "60m" for minutes or "60s" for seconds'],
    ['canaryWatch.maxDuration: "30" (as the CLI\'s --since refuses)', base({ canaryWatch: { maxDuration: '30' } }), 'canaryWatch.maxDuration: "30" has no unit'],
    ['bake.duration: 1.5', base({ bake: { duration: 1.5 } }), 'bake.duration: 1.5 has no unit'],
    ['a unit written out', base({ bake: { duration: '10 minutes' } }), 'bake.duration: expected a duration with a unit, such as "60s", "2m"'],
  ])('%s is refused with its path and an example', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.filter((issue) => issue.startsWith(expected))).toHaveLength(1);
  });

  test('each unit reads as written', () => {
    expect(parsePolicy(base({ metricLag: '2m', bake: { duration: '1h', period: '120s', enabled: false }, canaryWatch: { maxDuration: '15m' } }))).toMatchObject({ metricLag: 120, bake: { duration: 3600, period: 120 }, canaryWatch: { maxDuration: 900 } });
  });

  test('thresholdMs under 10, thresholdSeconds over 60, maxRatioToBaseline over 10 and a lag under a minute warn, each with its path', () => {
    const input = {
      metrics: [
        { preset: 'lambda-slow-requests', thresholdMs: 2 },
        { preset: 'alb-slow-requests', thresholdSeconds: 800, critical: false },
        { preset: 'lambda-p99-duration', method: { type: 'threshold', maxRatioToBaseline: 50 } },
      ],
      metricLag: '30s',
    };
    expect(policyWarnings(input).map((warning) => [warning.path.join('.'), warning.message])).toEqual([
      ['metricLag', expect.stringContaining('30 s is under a minute')],
      ['metrics.0.thresholdMs', expect.stringContaining('is this seconds? thresholdMs is in milliseconds (2000 for 2 s)')],
      ['metrics.1.thresholdSeconds', expect.stringContaining('is this milliseconds?')],
      ['metrics.2.method.maxRatioToBaseline', expect.stringContaining('is this a percentage?')],
    ]);
  });

  test('plausible values do not warn', () => {
    const input = { metrics: [{ preset: 'lambda-slow-requests', thresholdMs: 800 }, { preset: 'lambda-p99-duration', method: { type: 'threshold', maxRatioToBaseline: 10 } }], metricLag: '60s' };
    expect(policyWarnings(input)).toEqual([]);
  });
});

describe('the smoke-test budget is part of validation (issue 23 item 6: one validation everywhere)', () => {
  const slow = (name: string) => ({ name, type: 'http', url: 'https://orders.example.com/health', timeoutMs: 10000, retries: 3 });

  test('HTTP smoke tests that cannot finish in the 60 s smoke-test function are refused by parsePolicy, naming the slowest test', () => {
    const issues = issuesOf(base({ smokeTests: [slow('a'), slow('b'), slow('c'), slow('d'), slow('e')] }));
    expect(issues).toEqual(['pre-traffic', 'post-deploy'].map((phase) => expect.stringMatching(new RegExp(`^smokeTests\\[0\\]\\.timeoutMs: ${phase} HTTP smoke tests may take up to 90 s \\(a: 40 s, .*concurrency 4\\), but the smoke-test Lambda stops after 60 s`))));
    expect(issuesOf(base({ smokeTests: [slow('a'), { ...slow('b'), retries: 0 }] }))).toEqual([]);
  });

  test('with more concurrency the same tests fit', () => {
    expect(issuesOf(base({ smokeTests: [slow('a'), slow('b'), slow('c'), slow('d'), slow('e')], smokeTestSettings: { concurrency: 10 } }))).toEqual([]);
  });
});

describe('where the unit checks show (issue 25 item 4)', () => {
  const file = (policy: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'units-')), 'policy.json');
    writeFileSync(path, JSON.stringify(policy));
    return path;
  };
  const validate = async (path: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await validateCommand([path], { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };

  test('`canary-eval validate` refuses a duration without a unit (exit 1) and prints warnings for a valid policy (exit 0)', async () => {
    expect(await validate(file(base({ metricLag: 2 })))).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('metricLag: 2 has no unit: write "2m" for minutes') });
    const warned = await validate(file({ metrics: [{ preset: 'lambda-slow-requests', thresholdMs: 2 }] }));
    expect(warned).toMatchObject({ code: 0, stdout: expect.stringContaining('valid policy'), stderr: expect.stringMatching(/^warning: metrics\[0\]\.thresholdMs: 2 ms: is this seconds\?/) });
    expect((await validate(file(base({ metricLag: '2m' })))).stderr).toBe('');
  });

  test('`canary-eval validate` says which deadline it fitted: a CodeDeploy hook\'s hour, or `--ecs-hook-timeout`\'s (issue 27 item 3)', async () => {
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await validateCommand(argv, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    };
    const long = file(base({ bake: { duration: '2h', period: '5m' } }));
    expect(await run([long])).toMatchObject({ code: 1, stderr: expect.stringContaining("bake.duration: 120 min (7200 s) does not fit the hook's hour") });
    const fitted = await run([long, '--ecs-hook-timeout', '240']);
    expect(fitted).toMatchObject({ code: 0, stdout: expect.stringContaining('fitted against: an Amazon ECS native hook timeout of 240 min') });
    expect(fitted.stdout).toContain('on an evaluator whose ecsNativeMaxHookTimeout is 240 min');
    expect((await run([long, '--ecs-hook-timeout', '180'])).code).toBe(0);
    expect(await run([long, '--ecs-hook-timeout', '120'])).toMatchObject({ code: 1, stderr: expect.stringContaining("does not fit the hook's deadline") });
    expect((await run([file(base({}))])).stdout).toContain("fitted against: a CodeDeploy hook's hour");
    expect(await run([long, '--ecs-hook-timeout', '30'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--ecs-hook-timeout: expected whole minutes from 60 to 1440, got "30"') });
  });

  test('synth shows the same warnings as CDK warnings, and still synthesizes', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Units', { env: { account: '123456789012', region: 'us-east-1' } });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion });
    const group = new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
    new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' }, { preset: 'lambda-p99-duration', method: { type: 'threshold', maxRatioToBaseline: 50 } }], metricLag: '30s' } });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('*', Match.stringLikeRegexp('policy: metricLag: 30 s is under a minute'));
    annotations.hasWarning('*', Match.stringLikeRegexp('policy: metrics\\[1\\]\\.method\\.maxRatioToBaseline: 50 allows'));
  });
});
