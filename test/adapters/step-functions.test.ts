import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionArnOf, StepFunctionsEndedExecutionLister, StepFunctionsEvaluationStarter, StepFunctionsExecutionRecordReader } from '../../lib/adapters/aws/step-functions';
import { STATE } from '../../lib/evaluation/state-names';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-A1-AfterAllowTraffic';
beforeEach(() => sfn.reset());

describe('Step Functions adapters (issue 23 items 3 and 4)', () => {
  test('an execution is looked up by the ARN its name gives, metadata only', async () => {
    const starter = new StepFunctionsEvaluationStarter(new SFNClient({}), MACHINE, () => undefined);
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'RUNNING' });
    await expect(starter.exists('d-A1-AfterAllowTraffic')).resolves.toBe(true);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({ executionArn: EXECUTION, includedData: 'METADATA_ONLY' });
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    await expect(starter.exists('d-A1-AfterAllowTraffic')).resolves.toBe(false);
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(starter.exists('d-A1-AfterAllowTraffic')).rejects.toThrow('Rate exceeded');
    expect(() => executionArnOf('arn:aws:lambda:us-east-1:123456789012:function:f', 'x')).toThrow('is not a state machine ARN');
  });

  test('the history gives the input and the report states’ results, every page, oldest first', async () => {
    const exited = (name: string, report: unknown) => ({ type: 'TaskStateExited' as const, id: 1, timestamp: new Date(), stateExitedEventDetails: { name, output: JSON.stringify({ plan: {}, report }) } });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, nextToken: undefined })
      .resolves({ events: [{ type: 'ExecutionStarted', id: 1, timestamp: new Date(), executionStartedEventDetails: { input: '{"deploymentId":"d-A1"}' } }, exited(STATE.evaluate, 'not a report')], nextToken: 'page-2' })
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, nextToken: 'page-2' })
      .resolves({ events: [exited(STATE.report, { result: 'reported', event: { status: 'Failed' } }), exited(STATE.reportError, { result: 'already-completed' })] });
    await expect(new StepFunctionsExecutionRecordReader(new SFNClient({})).readRecord(EXECUTION)).resolves.toEqual({
      input: '{"deploymentId":"d-A1"}',
      reportResults: [{ result: 'reported', event: { status: 'Failed' } }, { result: 'already-completed' }],
    });
  });

  test('a report state output that is not JSON is named', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ type: 'TaskStateExited', id: 1, timestamp: new Date(), stateExitedEventDetails: { name: STATE.report, output: '{oops' } }] });
    await expect(new StepFunctionsExecutionRecordReader(new SFNClient({})).readRecord(EXECUTION)).rejects.toThrow(`${EXECUTION} state "${STATE.report}": its output is not JSON`);
  });

  test('ended executions are listed for each status asked', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await new StepFunctionsEndedExecutionLister(new SFNClient({})).listEnded(MACHINE, new Date(0), ['SUCCEEDED', 'TIMED_OUT']);
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input.statusFilter)).toEqual(['SUCCEEDED', 'TIMED_OUT']);
  });
});
