import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { EvaluationStarter } from '../../evaluation/ports';

/**
 * `StartExecution` with a name unique per hook. Step Functions returns the original execution for the
 * same name and input while it runs, and `ExecutionAlreadyExists` otherwise: both mean "already started".
 */
export class StepFunctionsEvaluationStarter implements EvaluationStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: object): Promise<'started' | 'already-exists'> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return 'already-exists';
      throw error;
    }
  }
}
