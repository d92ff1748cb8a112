import { DescribeExecutionCommand, ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { REAPED_EXECUTION_STATUSES } from '../../evaluation/contracts';
import type { EndedExecution, EndedExecutionLister, EvaluationStarter, ExecutionInputReader } from '../../evaluation/ports';

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

/**
 * `ListExecutions` once per reaped status. Ended executions come most recently stopped first (Step
 * Functions API Reference, `ListExecutions`: "other executions are sorted by their stopDate"), so
 * paging stops at the first page that reaches back before `since`.
 */
export class StepFunctionsEndedExecutionLister implements EndedExecutionLister {
  constructor(private readonly client: SFNClient) {}

  async listEnded(stateMachineArn: string, since: Date): Promise<readonly EndedExecution[]> {
    const ended: EndedExecution[] = [];
    for (const statusFilter of REAPED_EXECUTION_STATUSES) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter, maxResults: 100, nextToken }));
        const executions = page.executions ?? [];
        for (const { executionArn, status, stopDate } of executions) {
          if (executionArn && status) ended.push({ executionArn, status, ...(stopDate ? { stopDate } : {}) });
        }
        const oldest = executions.at(-1)?.stopDate;
        nextToken = oldest && oldest >= since ? page.nextToken : undefined;
      } while (nextToken);
    }
    return ended;
  }
}
