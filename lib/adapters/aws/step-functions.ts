import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EvaluationStarter, ExecutionInputReader } from '../../evaluation/ports';

/**
 * `StartExecution` with a name unique per hook. Step Functions returns the original execution for the
 * same name and input while it runs, and `ExecutionAlreadyExists` otherwise: both mean "already started".
 * The hook's X-Ray trace header is passed on, so one deployment hook is one trace.
 */
export class StepFunctionsEvaluationStarter implements EvaluationStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly traceHeader: () => string | undefined = () => process.env._X_AMZN_TRACE_ID,
  ) {}

  async start(name: string, input: object): Promise<'started' | 'already-exists'> {
    const traceHeader = this.traceHeader();
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input), ...(traceHeader ? { traceHeader } : {}) }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return 'already-exists';
      throw error;
    }
  }
}

/** `DescribeExecution`, for a status-change event that came without the execution's input. */
export class StepFunctionsExecutionInputReader implements ExecutionInputReader {
  constructor(private readonly client: SFNClient) {}

  async readInput(executionArn: string): Promise<string | undefined> {
    const { input } = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    return input;
  }
}
