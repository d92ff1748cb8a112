import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker, InvocationResult } from '../../evaluation/ports';

/** "Up to 3,583 bytes of base64-encoded data about the invoking client" (Lambda API Reference, Invoke: ClientContext). */
export const CLIENT_CONTEXT_MAX_BYTES = 3583;

export interface LambdaFunctionInvokerOptions {
  /**
   * The trace context to pass to the invoked version (e.g. `outgoingTraceHeaders()`: W3C `traceparent`,
   * `X-Amzn-Trace-Id`), read at each call. It goes in the Invoke request's `ClientContext` as
   * `{"Custom": {…}}`, where OpenTelemetry's AWS SDK instrumentation puts it for a Lambda invocation and a
   * function reads it (`context.clientContext.Custom`); Lambda passes ClientContext for synchronous
   * invocations only, which these are. X-Ray needs nothing here: a traced client sends `X-Amzn-Trace-Id` on
   * the Invoke request itself, and Lambda continues that trace (AWS X-Ray Developer Guide, "Tracing header").
   * @default - no ClientContext
   */
  readonly traceContext?: () => Record<string, string>;
}

/** Lambda `Invoke` (RequestResponse) of one version: smoke tests reach the new version before it has traffic. */
export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaFunctionInvokerOptions = {},
  ) {}

  async invoke(functionName: string, qualifier: string, payload: string): Promise<InvocationResult> {
    const clientContext = this.clientContext();
    const response = await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(payload),
        ...(clientContext ? { ClientContext: clientContext } : {}),
      }),
    );
    return {
      ...(response.FunctionError ? { functionError: response.FunctionError } : {}),
      payload: response.Payload ? new TextDecoder().decode(response.Payload) : '',
    };
  }

  /** `{"Custom": <trace context>}`, base64; none outside a traced invocation, or if it would exceed Lambda's limit. */
  private clientContext(): string | undefined {
    const custom = this.options.traceContext?.() ?? {};
    if (Object.keys(custom).length === 0) return undefined;
    const encoded = Buffer.from(JSON.stringify({ Custom: custom }), 'utf8').toString('base64');
    return encoded.length <= CLIENT_CONTEXT_MAX_BYTES ? encoded : undefined;
  }
}
