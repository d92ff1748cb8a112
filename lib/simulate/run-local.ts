import { StateMachine } from 'aws-local-stepfunctions';
import { STATE, TASK_STATES, type TaskState } from '../constructs/evaluation-definition';
import { installPromiseWithResolvers } from './polyfill';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalRunResult {
  /** `SUCCEEDED` or `FAILED` (the execution's own status, not the verdict). */
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  /** Names of the states entered, in order. */
  readonly statesEntered: readonly string[];
}

/**
 * Runs an evaluation definition with `aws-local-stepfunctions`, every Task bound to a local handler
 * (the interpreter would call real Lambda for any Task left unbound) and every Wait skipped: the
 * handlers carry a virtual clock instead.
 */
export async function runLocally(
  definition: Record<string, unknown>,
  input: object,
  handlers: Record<TaskState, TaskHandler>,
): Promise<LocalRunResult> {
  installPromiseWithResolvers();
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const taskResourceLocalHandlers = Object.fromEntries(TASK_STATES.map((name) => [name, handlers[name]]));
  const retryIntervalOverrides = Object.fromEntries(TASK_STATES.map((name) => [name, 0]));
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides: { [STATE.wait]: 0 }, retryIntervalOverrides },
  });
  const statesEntered: string[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') statesEntered.push(event.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, statesEntered };
  } catch (error) {
    await collect.catch(() => undefined);
    return { status: 'FAILED', error: `${(error as Error).name}: ${(error as Error).message}`, statesEntered };
  }
}
