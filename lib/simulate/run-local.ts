import { StateMachine } from 'aws-local-stepfunctions';
import { TASK_STATES, WAIT_STATES, type TaskState } from '../constructs/evaluation-definition';
import { installPromiseWithResolvers } from './polyfill';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalRunResult {
  /** The execution's own status (not the verdict). `TIMED_OUT`: `shouldTimeOut` said so, as the machine's timeout would. */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: unknown;
  readonly error?: string;
  /** Names of the states entered, in order (each is a billed state transition). */
  readonly statesEntered: readonly string[];
  /** Each Task state that exited, with its output (the state after its ResultPath), in order: the history's `TaskStateExited` events. */
  readonly taskExits: ReadonlyArray<{ readonly state: string; readonly output: unknown }>;
}

export interface LocalRunOptions {
  /** Checked before every Task: true aborts the execution as the state machine's `TimeoutSeconds` would. */
  readonly shouldTimeOut?: () => boolean;
}

/**
 * Runs an evaluation definition with `aws-local-stepfunctions`, every Task bound to a local handler
 * (the interpreter would call real Lambda for any Task left unbound), every Wait and retry interval
 * skipped: the handlers carry a virtual clock instead.
 */
/** The execution ARN of a local run (the simulation has one state machine, one execution at a time). */
export const LOCAL_EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:local';

export async function runLocally(
  definition: Record<string, unknown>,
  input: object,
  handlers: Record<TaskState, TaskHandler>,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  installPromiseWithResolvers();
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  let timedOut = false;
  // eslint-disable-next-line prefer-const -- assigned after the handlers that use it are built
  let execution: ReturnType<typeof machine.run>;
  const taskResourceLocalHandlers = Object.fromEntries(
    TASK_STATES.map((name) => [
      name,
      async (taskInput: unknown) => {
        if (options.shouldTimeOut?.()) {
          timedOut = true;
          execution.abort();
          // Settle at once: a Task promise that never settled would hold the interpreter's Task timer
          // (TimeoutSeconds, real time) and the process with it. The aborted run executes no further state.
          throw Object.assign(new Error('the execution timed out'), { name: 'States.Timeout' });
        }
        return handlers[name](taskInput);
      },
    ]),
  );
  const retryIntervalOverrides = Object.fromEntries(TASK_STATES.map((name) => [name, 0]));
  const waitTimeOverrides = Object.fromEntries(WAIT_STATES.map((name) => [name, 0]));
  execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides, retryIntervalOverrides },
    // Step Functions' context object has the execution's ARN (`$$.Execution.Id`); the local one has only its input.
    context: { Execution: { Id: LOCAL_EXECUTION_ARN } },
  });
  const statesEntered: string[] = [];
  const taskExits: Array<{ state: string; output: unknown }> = [];
  const tasks: readonly string[] = TASK_STATES;
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') statesEntered.push(event.state.name);
      if (event.type === 'StateExited' && tasks.includes(event.state.name)) taskExits.push({ state: event.state.name, output: event.state.output });
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, statesEntered, taskExits };
  } catch (error) {
    await collect.catch(() => undefined);
    return { status: timedOut ? 'TIMED_OUT' : 'FAILED', error: `${(error as Error).name}: ${(error as Error).message}`, statesEntered, taskExits };
  }
}
