import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import type { EndedExecution, EndedExecutionLister, EvaluationStarter, ExecutionInputReader, ExecutionRecord, ExecutionRecordReader } from '../../evaluation/ports';
import { STATE } from '../../evaluation/state-names';

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

  /**
   * `DescribeExecution` of the name's ARN (`arn:…:execution:<state machine>:<name>`). `METADATA_ONLY`:
   * existence is all that is asked, so a customer managed key's `kms:Decrypt` is not needed (Step
   * Functions API Reference, DescribeExecution, `includedData`). The API is eventually consistent: a
   * "does not exist" just after StartExecution is not proof, which is why an execution never publishes a
   * verdict contradicting the status CodeDeploy holds (`conclude`).
   */
  async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name), includedData: 'METADATA_ONLY' }));
      return true;
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return false;
      throw error;
    }
  }
}

/** An execution's ARN from its state machine's and its name (Step Functions ARN formats: `execution:<state machine name>:<execution name>`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const marker = ':stateMachine:';
  if (!stateMachineArn.includes(marker)) throw new Error(`${stateMachineArn} is not a state machine ARN (expected "arn:<partition>:states:<region>:<account>:stateMachine:<name>")`);
  return `${stateMachineArn.replace(marker, ':execution:')}:${name}`;
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
 * `ListExecutions` once per status asked. Ended executions come most recently stopped first (Step
 * Functions API Reference, `ListExecutions`: "other executions are sorted by their stopDate"), so
 * paging stops at the first page that reaches back before `since`.
 */
export class StepFunctionsEndedExecutionLister implements EndedExecutionLister {
  constructor(private readonly client: SFNClient) {}

  async listEnded(stateMachineArn: string, since: Date, statuses: readonly string[]): Promise<readonly EndedExecution[]> {
    const ended: EndedExecution[] = [];
    for (const statusFilter of statuses as readonly ExecutionStatus[]) {
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

const REPORT_STATES: readonly string[] = [STATE.report, STATE.reportError];

/**
 * `GetExecutionHistory` (Step Functions API Reference): the `ExecutionStarted` event's input, and the
 * `TaskStateExited` events of the report states, whose `stateExitedEventDetails.output` is the state
 * after the Task's ResultPath (`$.report`: what CodeDeploy accepted and the verdict event to publish).
 * Every page is read (up to 1,000 events each); an evaluation has a few hundred.
 */
export class StepFunctionsExecutionRecordReader implements ExecutionRecordReader {
  constructor(private readonly client: SFNClient) {}

  async readRecord(executionArn: string): Promise<ExecutionRecord> {
    let input: string | undefined;
    const reportResults: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, nextToken }));
      for (const event of page.events ?? []) {
        if (event.type === 'ExecutionStarted') input = event.executionStartedEventDetails?.input;
        const exited = event.type === 'TaskStateExited' ? event.stateExitedEventDetails : undefined;
        if (exited?.name && REPORT_STATES.includes(exited.name)) reportResults.push(reportResultOf(exited.output, `${executionArn} state "${exited.name}"`));
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return { ...(input !== undefined ? { input } : {}), reportResults };
  }
}

function reportResultOf(output: string | undefined, where: string): unknown {
  if (output === undefined) return undefined;
  try {
    return (JSON.parse(output) as { report?: unknown }).report;
  } catch (error) {
    throw new Error(`${where}: its output is not JSON (${(error as Error).message})`);
  }
}

/**
 * `DescribeExecution` of an evaluation by name, metadata only (status and start date; no `kms:Decrypt`
 * needed): what the ECS native hook function asks on every invocation (`EcsEvaluationTracker`).
 */
export class StepFunctionsEvaluationTracker {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async describe(name: string): Promise<{ status: string; startDate: Date } | undefined> {
    try {
      const described = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, name), includedData: 'METADATA_ONLY' }));
      if (!described.status || !described.startDate) throw new Error(`DescribeExecution of ${name} returned no status or start date`);
      return { status: described.status, startDate: described.startDate };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }
}
