import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSimulation, simulateCommand } from '../../lib/cli/simulate-command';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { ScenarioError } from '../../lib/simulate/scenario';
import { parseEcsNativeScenario, runEcsNativeScenario, type EcsNativeScenario } from '../../lib/simulate/ecs-native/scenario';

async function runCommand(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulateCommand(argv, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

let definition: Record<string, unknown>;
beforeAll(() => {
  definition = synthesizeEvaluationDefinition();
}, 600_000);

describe('the ECS native scenario (scenarios/ecs-native/ecs-native-canary.yaml)', () => {
  test('canary-eval simulate rolls the ×2 5xx regression back at the 10 % PRODUCTION_TRAFFIC_SHIFT step and says so', async () => {
    const { code, stdout, stderr } = await runCommand('ecs-native-canary');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/minute +\d+(\.\d)? +PRODUCTION_TRAFFIC_SHIFT at the 10 % step: FAILED/);
    expect(stdout).toMatch(/PRODUCTION_TRAFFIC_SHIFT \(rollback re-invocation, green 0 %\): SUCCEEDED/);
    expect(stdout).toMatch(/ecs-native-canary +ECS rolled back at minute \d+(\.\d)?: PRODUCTION_TRAFFIC_SHIFT at the 10 % step answered FAILED/);
    expect(stdout).toMatch(/Why: alb-5xx-rate .* on the new version vs .* on the current one \(×\d.\d\): regression shown/);
  }, 600_000);

  test('--json: the answers in order, the failing step, one verdict event per evaluation; --fail-on-rollback exits 3', async () => {
    const { code, stdout } = await runCommand('ecs-native-canary', '--json');
    expect(code).toBe(0);
    const { scenarios, ecsNative } = JSON.parse(stdout);
    expect(scenarios).toEqual([]);
    const [run] = ecsNative;
    expect(run.outcome).toBe('rolled-back');
    expect(run.failedAt).toMatchObject({ stage: 'PRODUCTION_TRAFFIC_SHIFT', weight: 10 });
    expect(run.answers.map((a: { stage: string; weight: number; hookStatus: string; rollback: boolean }) => `${a.stage}@${a.weight}:${a.hookStatus}${a.rollback ? ' (rollback)' : ''}`)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@10:FAILED',
      'PRODUCTION_TRAFFIC_SHIFT@0:SUCCEEDED (rollback)',
    ]);
    expect(run.verdictEvents.map((e: { evaluation: string; decision: string }) => `${e.evaluation}:${e.decision}`)).toEqual([
      'SimDeployment01_POST_TEST_TRAFFIC_SHIFT:pass',
      'SimDeployment01_PRODUCTION_TRAFFIC_SHIFT_w10:fail',
    ]);
    expect((await runCommand('ecs-native-canary', '--fail-on-rollback')).code).toBe(3);
  }, 600_000);

  test('negative control: the same deployment with green as good as blue is deployed, every stage and step SUCCEEDED', async () => {
    const { scenario, source } = loadSimulation('ecs-native-canary') as { kind: 'ecs-native'; scenario: EcsNativeScenario; source: string };
    const run = await runEcsNativeScenario({ ...scenario, green: { errorFactor: 1 } }, { definition, source });
    expect(run.failedAt).toBeUndefined();
    expect(run.brokenExecutions).toEqual([]);
    expect(run.result.outcome).toBe('deployed');
    expect(run.result.answers.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}`)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@10:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED',
      'POST_PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED',
    ]);
  }, 600_000);

  test('a path to a kind: ecs-native YAML runs as ECS native; a bad field is named with its path', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ecs-scenario-'));
    const file = join(folder, 'mine.yaml');
    writeFileSync(file, 'kind: ecs-native\nname: mine\nseed: 3\ndeployment: { strategy: LINEAR, percent: 25 }\ntraffic: { requestsPerMinute: 500 }\nblue: { errorRate: 0.01 }\n');
    expect(loadSimulation(file)).toMatchObject({ kind: 'ecs-native', source: file, scenario: { name: 'mine', deployment: { strategy: 'LINEAR', percent: 25, hookTimeoutMinutes: 60 } } });
    const bad = (input: unknown) => {
      try {
        parseEcsNativeScenario(input, 'bad.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as ScenarioError).issues.join('\n');
      }
      throw new Error('expected the scenario to be rejected');
    };
    const base = { kind: 'ecs-native', name: 'x', seed: 1, traffic: { requestsPerMinute: 100 }, blue: { errorRate: 0.01 } };
    expect(bad({ ...base, deployment: { strategy: 'ROLLING' } })).toMatch(/deployment\.strategy/);
    expect(bad({ ...base, deployment: { strategy: 'BLUE_GREEN', percent: 10 } })).toMatch(/deployment\.percent: BLUE_GREEN shifts all traffic at once/);
    expect(bad({ ...base, deployment: { strategy: 'CANARY', hookTimeoutMinutes: 30 } })).toMatch(/deployment\.hookTimeoutMinutes/);
  });
});
