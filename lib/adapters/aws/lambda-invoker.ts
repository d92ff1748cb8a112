import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker, InvocationResult } from '../../evaluation/ports';

/** Lambda `Invoke` (RequestResponse) of one version: smoke tests reach the new version before it has traffic. */
export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(functionName: string, qualifier: string, payload: string): Promise<InvocationResult> {
    const response = await this.client.send(
      new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(payload) }),
    );
    return {
      ...(response.FunctionError ? { functionError: response.FunctionError } : {}),
      payload: response.Payload ? new TextDecoder().decode(response.Payload) : '',
    };
  }
}
