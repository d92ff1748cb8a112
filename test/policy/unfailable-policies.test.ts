import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../lib/cli/validate-command';
import { loadCheckedPolicyFile, validatePolicy } from '../../lib/evaluation/policy-check';
import { parsePolicy, PolicyError, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { parseScenario, type ScenarioInput } from '../../lib/simulate/scenario';
import { runScenario } from '../../lib/simulate/scenario-run';

/**
 * Issue 23 item 6, end to end: five kinds of policy the schema accepts but that can never fail. Each is
 * run through the real state machine and handlers (simulated CloudWatch and CodeDeploy) against a
 * regression (errors ×5, or p99 ×1000), which it promotes; validation refuses it, naming the field;
 * the same policy with that field corrected is accepted and rolls the regression back.
 */

const definition = synthesizeEvaluationDefinition();

const scenarioBase: ScenarioInput = {
  name: 'worst',
  description: 'a regression from minute 0',
  seed: 23,
  durationMinutes: 30,
  traffic: { requestsPerMinute: 1000 },
  schedule: { type: 'canary', percent: 10, minutes: 15 },
  baseline: { errorRate: 0.01, latency: { medianMs: 120, p99Ms: 900 } },
};
const errorsTimesFive = parseScenario({ ...scenarioBase, regressions: [{ metric: 'errors', factor: 5, fromMinute: 0 }] });
const p99TimesThousand = parseScenario({ ...scenarioBase, regressions: [{ metric: 'latency', factor: 1000, fromMinute: 0 }] });

const errors = (method: object, extra: object = {}) => ({ metrics: [{ preset: 'lambda-error-rate', method, ...extra }] }) as PolicyInput;
const p99 = (method: object) => ({ metrics: [{ preset: 'lambda-p99-duration', method }] }) as PolicyInput;

const KINDS = [
  {
    kind: 'failureLimit above the looks in the window',
    policy: errors({ type: 'threshold', max: 0.02, failureLimit: 40 }),
    fixed: errors({ type: 'threshold', max: 0.02, failureLimit: 3 }),
    scenario: errorsTimesFive,
    path: /^metrics\[0\]\.method\.failureLimit: metric "lambda-error-rate" can never fail in the canary watch \(30 look\(s\)/,
  },
  {
    kind: 'α of 1e-300',
    policy: { ...errors({ type: 'sequential' }), alpha: 1e-300 } as PolicyInput,
    fixed: { ...errors({ type: 'sequential' }), alpha: 0.01 } as PolicyInput,
    scenario: errorsTimesFive,
    path: /^alpha: metric "lambda-error-rate" can never fail in the canary watch .*every request of the new version counted as harm, 10 requests a minute against 90/,
  },
  {
    kind: 'Mann–Whitney minSamples above the periods in the window',
    policy: p99({ type: 'mann-whitney', minSamples: 40 }),
    fixed: p99({ type: 'mann-whitney', minSamples: 10 }),
    scenario: p99TimesThousand,
    path: /^metrics\[0\]\.method\.minSamples: .*minSamples 40 is more than the 30 period\(s\) judged/,
  },
  {
    kind: 'maxRatioToBaseline 1e9',
    policy: p99({ type: 'threshold', maxRatioToBaseline: 1e9 }),
    fixed: p99({ type: 'threshold', maxRatioToBaseline: 2 }),
    scenario: p99TimesThousand,
    path: /^metrics\[0\]\.method\.maxRatioToBaseline: .*1000 times higher: maxRatioToBaseline 1000000000 is never crossed/,
  },
  {
    kind: 'only non-critical metrics',
    policy: errors({ type: 'sequential' }, { critical: false }),
    fixed: errors({ type: 'sequential' }, { critical: true }),
    scenario: errorsTimesFive,
    path: /^metrics: every metric is non-critical/,
  },
] as const;

describe.each(KINDS)('a policy with $kind', ({ policy, fixed, scenario, path }) => {
  test('promotes the regression through the real state machine, and validation refuses it naming the field', async () => {
    const run = await runScenario(scenario, { definition, policy: parsePolicy(policy) });
    // Promoted, or promoted without a verdict (onInconclusive: pass): either way the regression ships.
    expect(run.outcome).toMatchObject({ action: expect.stringMatching(/^(promoted|inconclusive)$/), status: 'Succeeded' });

    let refusal: unknown;
    try {
      validatePolicy(policy);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(PolicyError);
    expect((refusal as PolicyError).issues.some((issue) => path.test(issue))).toBe(true);
  }, 120_000);

  test('corrected, it is accepted and rolls the regression back', async () => {
    const run = await runScenario(scenario, { definition, policy: validatePolicy(fixed) });
    expect(run.outcome.action).toBe('rolled-back');
  }, 120_000);
});

test('`canary-eval validate` refuses a policy that can never fail, with the path, and exits 1', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'unfailable-')), 'policy.json');
  writeFileSync(file, JSON.stringify(KINDS[2].policy));
  const out: string[] = [];
  const err: string[] = [];
  const code = await validateCommand([file], { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  expect(code).toBe(1);
  expect(out).toEqual([]);
  expect(err.join('\n')).toMatch(/metrics\[0\]\.method\.minSamples: metric "lambda-p99-duration" can never fail in the canary watch/);
});

test.each([
  'lib/demo/demo-policy.yaml',
  'lib/demo/demo-ecs-policy.yaml',
  'test/fixtures/policies/lambda-basic.yaml',
  'test/fixtures/aws/policy.yaml',
  'test/fixtures/aws/candidate-strict.yaml',
  'test/package/consumer/policies/payments.yaml',
])('the checked-in policy %s can fail, and nothing in it looks like the wrong unit', (file) => {
  expect(loadCheckedPolicyFile(join(__dirname, '..', '..', file)).warnings).toEqual([]);
});
