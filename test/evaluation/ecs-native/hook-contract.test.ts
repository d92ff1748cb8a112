import {
  checkEcsHookResponse,
  ECS_ANSWER_GUARD_SECONDS,
  ECS_HOOK_CALLBACK_DELAY_SECONDS,
  ecsNativeEvaluationId,
  isRollbackInvocation,
  parseEcsHookEvent,
  parseEcsHookTimeout,
  parseEcsNativeEvaluationId,
  parseEcsNativeService,
  parseServiceDeploymentArn,
  productionStepWeights,
} from '../../../lib/evaluation/ecs-native/contract';
import { handleEcsHookEvent, type EcsEvaluationExecution, type EcsHookDependencies, type EcsHookStatusStore } from '../../../lib/evaluation/ecs-native/hook';
import { createConfiguredEcsHookHandler } from '../../../lib/evaluation/ecs-native/handler';
import type { HookStatus } from '../../../lib/evaluation/ports';
import { parseEvaluationInput, type EvaluationInput } from '../../../lib/evaluation/state';
import { overrideKey } from '../../../lib/evaluation/override/record';
import {
  ECS_NATIVE_SERVICE,
  ECS_NATIVE_TARGETS,
  GREEN,
  linearStep,
  POST_PRODUCTION_TRAFFIC_SHIFT,
  POST_SCALE_UP,
  POST_TEST_TRAFFIC_SHIFT,
  POST_TEST_TRAFFIC_SHIFT_WITH_DETAILS,
  PRE_PRODUCTION_TRAFFIC_SHIFT,
  PRE_SCALE_UP,
  PRODUCTION_TRAFFIC_SHIFT,
  PRODUCTION_TRAFFIC_SHIFT_ROLLBACK,
  TEST_TRAFFIC_SHIFT,
} from '../../fixtures/ecs-native/events';

/** Step Functions and the status store in memory: executions by name, statuses by evaluation, first one standing. */
class World {
  readonly executions = new Map<string, { input: EvaluationInput } & EcsEvaluationExecution>();
  readonly statuses = new Map<string, HookStatus>();
  starts = 0;
  clock = Date.parse('2026-12-07T12:00:00Z');
  failReads = false;

  readonly store: EcsHookStatusStore = {
    read: async (id) => {
      if (this.failReads) throw new Error('S3 is down');
      return this.statuses.get(id);
    },
    record: async (id, status) => {
      if (this.statuses.has(id)) return 'already-recorded';
      this.statuses.set(id, status);
      return 'recorded';
    },
  };

  deps(overrides: Partial<EcsHookDependencies> = {}): EcsHookDependencies {
    return {
      policyRef: { bucket: 'assets', key: 'web.json' },
      switches: { dryRun: false, onEvaluatorError: 'fail', onInconclusive: 'fail' },
      ecsTargets: ECS_NATIVE_TARGETS,
      service: ECS_NATIVE_SERVICE,
      hookTimeout: { timeoutInMinutes: 1440, action: 'ROLLBACK' },
      starter: {
        start: async (name, input) => {
          this.starts += 1;
          if (this.executions.has(name)) return 'already-exists';
          this.executions.set(name, { input: input as EvaluationInput, status: 'RUNNING', startDate: new Date(this.clock) });
          return 'started';
        },
        exists: async (name) => this.executions.has(name),
      },
      executions: { describe: async (name) => this.executions.get(name) },
      statuses: this.store,
      now: () => new Date(this.clock),
      log: { info: () => undefined, error: () => undefined },
      ...overrides,
    };
  }

  /** The one execution started so far, its input parsed as the state machine's steps parse it. */
  onlyInput(): EvaluationInput {
    expect(this.executions.size).toBe(1);
    return parseEvaluationInput(JSON.parse(JSON.stringify([...this.executions.values()][0].input)));
  }
}

describe('the documented payloads', () => {
  test.each([PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT_ROLLBACK])('$lifecycleStage parses', (event) => {
    const parsed = parseEcsHookEvent(event);
    expect(parsed.executionDetails.targetServiceRevisionArn).toBe(GREEN);
    expect(parseServiceDeploymentArn(parsed.resourceArn)).toEqual({ cluster: 'my-cluster', service: 'my-service', deploymentId: 'EZe5RNVLH6PPzHXINuP28' });
  });

  test('hookDetails passed back by ECS are read', () => {
    expect(parseEcsHookEvent(POST_TEST_TRAFFIC_SHIFT_WITH_DETAILS).hookDetails).toEqual({ approvalChecked: true, S3_BUCKET_NAME: 'my-approval-bucket' });
  });

  test('bad events are refused naming the field and what was expected', () => {
    expect(() => parseEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, lifecycleStage: 'ROLLBACK' })).toThrow(/lifecycleStage: expected one of .*"PRODUCTION_TRAFFIC_SHIFT".*got "ROLLBACK"/);
    expect(() => parseEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, resourceArn: SERVICE_ARN_LIKE })).toThrow(/resourceArn: expected a service deployment ARN/);
    expect(() => parseEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, executionDetails: { ...PRODUCTION_TRAFFIC_SHIFT.executionDetails, productionTrafficWeights: { [GREEN]: 120 } } })).toThrow(
      /executionDetails\.productionTrafficWeights\[".*9313423515462893900"\]: expected a percentage from 0 to 100, got 120/,
    );
    expect(() => parseEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, executionDetails: undefined })).toThrow(/executionDetails: expected an object, got nothing/);
  });

  test('only the rollback payload is a rollback: PRE_PRODUCTION_TRAFFIC_SHIFT shows the same weights going forward', () => {
    expect(isRollbackInvocation(parseEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT_ROLLBACK))).toBe(true);
    expect(isRollbackInvocation(parseEcsHookEvent(PRE_PRODUCTION_TRAFFIC_SHIFT))).toBe(false);
    expect(isRollbackInvocation(parseEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT))).toBe(false);
    expect(isRollbackInvocation(parseEcsHookEvent(TEST_TRAFFIC_SHIFT))).toBe(false);
  });

  test('answers are checked before they leave: callBackDelay only with IN_PROGRESS, whole seconds in range', () => {
    expect(checkEcsHookResponse({ hookStatus: 'IN_PROGRESS', callBackDelay: 60 })).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 60 });
    expect(() => checkEcsHookResponse({ hookStatus: 'SUCCEEDED', callBackDelay: 60 })).toThrow(/callBackDelay: only meaningful with IN_PROGRESS/);
    expect(() => checkEcsHookResponse({ hookStatus: 'IN_PROGRESS', callBackDelay: 1.5 })).toThrow(/callBackDelay: expected whole seconds/);
  });

  test('the configuration the registration passes is parsed with clear errors', () => {
    expect(parseEcsHookTimeout('{"timeoutInMinutes":120,"action":"CONTINUE"}')).toEqual({ timeoutInMinutes: 120, action: 'CONTINUE' });
    expect(parseEcsHookTimeout('{}')).toEqual({ timeoutInMinutes: 1440, action: 'ROLLBACK' });
    expect(() => parseEcsHookTimeout('{"timeoutInMinutes":30}')).toThrow(/HOOK_TIMEOUT\.timeoutInMinutes: expected whole minutes from 60 .* to 20160 .*got 30/);
    expect(() => parseEcsHookTimeout('{"timeoutInMinutes":120,"action":"PAUSE"}')).toThrow(/HOOK_TIMEOUT\.action: expected one of "ROLLBACK", "CONTINUE"/);
    expect(() => parseEcsNativeService(JSON.stringify({ ...ECS_NATIVE_SERVICE, alternateTargetGroup: 'web-blue' }))).toThrow(/compared with itself/);
  });

  test('strategies give the weights ECS steps through', () => {
    expect(productionStepWeights('BLUE_GREEN')).toEqual([100]);
    expect(productionStepWeights('CANARY', 5)).toEqual([5, 100]);
    expect(productionStepWeights('LINEAR', 25)).toEqual([25, 50, 75, 100]);
    expect(productionStepWeights('LINEAR', 33.3)).toEqual([33.3, 66.6, 99.9, 100]);
  });
});

const SERVICE_ARN_LIKE = 'arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service';

describe('the hook contract', () => {
  test('the first invocation starts the evaluation of that stage once and answers IN_PROGRESS with a callback delay', async () => {
    const world = new World();
    const answer = await handleEcsHookEvent(POST_TEST_TRAFFIC_SHIFT, world.deps());
    expect(answer).toMatchObject({ started: true, evaluationId: 'EZe5RNVLH6PPzHXINuP28_POST_TEST_TRAFFIC_SHIFT', response: { hookStatus: 'IN_PROGRESS', callBackDelay: ECS_HOOK_CALLBACK_DELAY_SECONDS } });
    expect(world.onlyInput()).toMatchObject({
      deploymentId: 'EZe5RNVLH6PPzHXINuP28_POST_TEST_TRAFFIC_SHIFT',
      lifecycleEventHookExecutionId: 'ecs-native:3a0345ba-b029-404b-890d-7da2a4b266aa',
      lifecycleEvent: 'AfterAllowTestTraffic',
      applicationName: 'my-cluster',
      deploymentGroupName: 'my-service',
      target: { type: 'ecs', canaryTargetGroup: 'targetgroup/web-green/2222222222222222', baselineTargetGroup: 'targetgroup/web-blue/1111111111111111', service: 'my-cluster:my-service', taskDefinition: GREEN },
      ecsNative: { stage: 'POST_TEST_TRAFFIC_SHIFT', role: 'smoke', productionWeight: 0, hookTimeoutSeconds: 86_400 },
    });
  });

  test('repeated invocations start nothing more and answer IN_PROGRESS until the status is recorded, then what was recorded', async () => {
    const world = new World();
    const deps = world.deps();
    const first = await handleEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT, deps);
    for (let call = 0; call < 5; call++) {
      world.clock += ECS_HOOK_CALLBACK_DELAY_SECONDS * 1000;
      // ECS passes back the hookDetails of the previous answer.
      const again = await handleEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, hookDetails: first.response.hookDetails }, deps);
      expect(again.response.hookStatus).toBe('IN_PROGRESS');
      expect(again.started).toBeUndefined();
    }
    expect(world.executions.size).toBe(1);
    world.statuses.set(first.evaluationId!, 'Failed');
    await expect(handleEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT, deps)).resolves.toMatchObject({ response: { hookStatus: 'FAILED' } });
    world.statuses.set(first.evaluationId!, 'Succeeded');
    const other = new World();
    other.statuses.set(first.evaluationId!, 'Succeeded');
    await expect(handleEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT, other.deps())).resolves.toMatchObject({ response: { hookStatus: 'SUCCEEDED' } });
    expect(other.executions.size).toBe(0);
  });

  test('concurrent first invocations share one execution (ExecutionAlreadyExists)', async () => {
    const world = new World();
    const deps = world.deps({ executions: { describe: async () => undefined } });
    const answers = await Promise.all([handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps), handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps)]);
    expect(answers.map((a) => a.response.hookStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS']);
    expect(world.starts).toBe(2);
    expect(world.executions.size).toBe(1);
    expect(world.onlyInput().ecsNative).toMatchObject({ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT', role: 'bake', productionWeight: 100 });
  });

  test('each LINEAR step is its own evaluation, judged at its weight; the same step again is the same one', async () => {
    const world = new World();
    const deps = world.deps();
    for (const weight of productionStepWeights('LINEAR', 25)) {
      await handleEcsHookEvent(linearStep(weight), deps);
      await handleEcsHookEvent(linearStep(weight, `again-${weight}`), deps);
    }
    const inputs = [...world.executions.values()].map((execution) => execution.input);
    expect(inputs.map((input) => input.deploymentId)).toEqual([25, 50, 75, 100].map((w) => `EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w${w}`));
    expect(inputs.map((input) => input.ecsNative?.productionWeight)).toEqual([25, 50, 75, 100]);
    expect(new Set(inputs.map((input) => input.ecsNative?.role))).toEqual(new Set(['step']));
    expect(ecsNativeEvaluationId({ cluster: 'c', service: 's', deploymentId: 'X' }, 'PRODUCTION_TRAFFIC_SHIFT', 33.3)).toBe('X_PRODUCTION_TRAFFIC_SHIFT_w33p3');
  });

  test('the override settings reach every evaluation, each with its own record key; evaluation ids read back', async () => {
    const world = new World();
    const deps = world.deps({ override: { bucket: 'reports', allowed: true } });
    for (const weight of productionStepWeights('LINEAR', 50)) await handleEcsHookEvent(linearStep(weight), deps);
    const inputs = [...world.executions.values()].map((execution) => parseEvaluationInput(JSON.parse(JSON.stringify(execution.input))));
    expect(inputs.map((input) => input.override)).toEqual([{ bucket: 'reports', allowed: true }, { bucket: 'reports', allowed: true }]);
    expect(inputs.map((input) => overrideKey(input.deploymentId, input.lifecycleEvent))).toEqual([50, 100].map((w) => `overrides/EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w${w}-AfterAllowTraffic.json`));
    for (const input of inputs) expect(parseEcsNativeEvaluationId(input.deploymentId)).toEqual({ evaluationId: input.deploymentId, deploymentId: 'EZe5RNVLH6PPzHXINuP28', stage: 'PRODUCTION_TRAFFIC_SHIFT', productionWeight: input.ecsNative!.productionWeight });
    // Without settings (an evaluator imported without its report bucket) nothing looks for an override.
    const bare = new World();
    await handleEcsHookEvent(linearStep(50), bare.deps());
    expect(bare.onlyInput().override).toBeUndefined();
    expect(parseEcsNativeEvaluationId('X_POST_TEST_TRAFFIC_SHIFT')).toEqual({ evaluationId: 'X_POST_TEST_TRAFFIC_SHIFT', deploymentId: 'X', stage: 'POST_TEST_TRAFFIC_SHIFT' });
    expect(parseEcsNativeEvaluationId('X_PRODUCTION_TRAFFIC_SHIFT_w33p3')).toMatchObject({ productionWeight: 33.3 });
    for (const bad of ['d-ABC123', 'X_PRODUCTION_TRAFFIC_SHIFT', 'X_POST_TEST_TRAFFIC_SHIFT_w5', 'X_PRODUCTION_TRAFFIC_SHIFT_w0', 'X_SCALE_UP']) expect(parseEcsNativeEvaluationId(bad)).toBeUndefined();
  });

  test('a rollback invocation is answered SUCCEEDED at once and starts nothing', async () => {
    const world = new World();
    await expect(handleEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT_ROLLBACK, world.deps())).resolves.toMatchObject({ response: { hookStatus: 'SUCCEEDED' } });
    expect(world.starts).toBe(0);
  });

  test('a stage the evaluator does not judge is answered under onEvaluatorError, never left to time out', async () => {
    const world = new World();
    await expect(handleEcsHookEvent(PRE_SCALE_UP, world.deps())).resolves.toMatchObject({ response: { hookStatus: 'FAILED' }, reason: expect.stringMatching(/judges nothing at PRE_SCALE_UP/) });
    await expect(handleEcsHookEvent(PRE_SCALE_UP, world.deps({ switches: { dryRun: false, onEvaluatorError: 'pass' } }))).resolves.toMatchObject({ response: { hookStatus: 'SUCCEEDED' } });
    expect(world.starts).toBe(0);
  });

  test('an event that is not an ECS hook event is answered under onEvaluatorError', async () => {
    const world = new World();
    await expect(handleEcsHookEvent({ DeploymentId: 'd-ABC' }, world.deps())).resolves.toMatchObject({ response: { hookStatus: 'FAILED' }, reason: expect.stringMatching(/executionDetails: expected an object/) });
  });

  describe('always answered before the hook times out', () => {
    const timeout = { timeoutInMinutes: 120, action: 'ROLLBACK' as const };
    const answerBy = (start: number) => start + (timeout.timeoutInMinutes * 60 - ECS_ANSWER_GUARD_SECONDS) * 1000;

    test('no verdict by the guard: the switches decide (onInconclusive), and that status is recorded so the evaluation publishes what ECS got', async () => {
      const world = new World();
      const deps = world.deps({ hookTimeout: timeout });
      const start = world.clock;
      await handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps);
      world.clock = answerBy(start) - 1000;
      await expect(handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps)).resolves.toMatchObject({ response: { hookStatus: 'IN_PROGRESS' } });
      world.clock = answerBy(start);
      const answer = await handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps);
      expect(answer.response).toEqual({ hookStatus: 'FAILED' });
      expect(world.statuses.get(answer.evaluationId!)).toBe('Failed');
      // Every later invocation repeats it.
      world.clock += 30_000;
      await expect(handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps)).resolves.toMatchObject({ response: { hookStatus: 'FAILED' } });
    });

    test('the evaluation recording first wins the race at the deadline', async () => {
      const world = new World();
      const deps = world.deps({ hookTimeout: timeout, statuses: { ...world.store, read: async (id) => (world.clock >= answerBy(start) && world.statuses.has(id) ? world.statuses.get(id) : undefined) } });
      const start = world.clock;
      const first = await handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, deps);
      world.clock = answerBy(start);
      // Recorded between this invocation's read and its record: the evaluation's Succeeded stands.
      let recorded = false;
      const racing = world.deps({
        hookTimeout: timeout,
        statuses: {
          read: async (id) => (recorded ? world.statuses.get(id) : undefined),
          record: async (id, status) => {
            world.statuses.set(id, 'Succeeded');
            recorded = true;
            return world.store.record(id, status);
          },
        },
      });
      await expect(handleEcsHookEvent(POST_PRODUCTION_TRAFFIC_SHIFT, racing)).resolves.toMatchObject({ response: { hookStatus: 'SUCCEEDED' }, evaluationId: first.evaluationId });
    });

    test('AWS failing: IN_PROGRESS while there is time (the first invocation time kept in hookDetails), the onEvaluatorError status after', async () => {
      const world = new World();
      world.failReads = true;
      const deps = world.deps({ hookTimeout: timeout });
      const start = world.clock;
      const first = await handleEcsHookEvent(PRODUCTION_TRAFFIC_SHIFT, deps);
      expect(first.response.hookStatus).toBe('IN_PROGRESS');
      world.clock = answerBy(start);
      await expect(handleEcsHookEvent({ ...PRODUCTION_TRAFFIC_SHIFT, hookDetails: first.response.hookDetails }, deps)).resolves.toMatchObject({ response: { hookStatus: 'FAILED' }, reason: expect.stringMatching(/by the deadline \(S3 is down\)/) });
    });

    test('an evaluation that ended without recording (the reaper still to come) is waited for, not past the guard', async () => {
      const world = new World();
      const deps = world.deps({ hookTimeout: timeout, switches: { dryRun: false, onEvaluatorError: 'pass', onInconclusive: 'fail' } });
      const start = world.clock;
      const first = await handleEcsHookEvent(POST_TEST_TRAFFIC_SHIFT, deps);
      for (const execution of world.executions.values()) Object.assign(execution, { status: 'TIMED_OUT' });
      world.clock += 60_000;
      await expect(handleEcsHookEvent(POST_TEST_TRAFFIC_SHIFT, deps)).resolves.toMatchObject({ response: { hookStatus: 'IN_PROGRESS' } });
      world.clock = answerBy(start);
      await expect(handleEcsHookEvent(POST_TEST_TRAFFIC_SHIFT, deps)).resolves.toMatchObject({ response: { hookStatus: 'SUCCEEDED' } });
      expect(world.statuses.get(first.evaluationId!)).toBe('Succeeded');
    });
  });

  test('a misconfigured function answers FAILED for every invocation (fail closed)', async () => {
    const handler = createConfiguredEcsHookHandler(() => {
      throw new Error('HOOK_TIMEOUT is not set');
    });
    await expect(handler(PRODUCTION_TRAFFIC_SHIFT)).resolves.toEqual({ hookStatus: 'FAILED' });
  });
});
