import { createSocket } from 'node:dgram';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Sends OTLP spans over UDP to the X-Ray daemon Lambda runs beside every function with active tracing
 * (`AWS_XRAY_DAEMON_ADDRESS`), the way the AWS Distro for OpenTelemetry does on Lambda (its
 * "X-Ray UDP exporter": a `{"format":"json","version":1}` header line, then `T1S` and the
 * base64 of an OTLP `ExportTraceServiceRequest`). Why this route: it needs no collector layer, no
 * SigV4 signing in the function and no permission beyond the `xray:PutTraceSegments` that active
 * tracing already grants (the daemon sends with the function's role); a UDP send cannot hold the hook
 * past its deadline. X-Ray takes spans in OTLP form once the account has CloudWatch Transaction Search
 * enabled (CloudWatch User Guide, "Transaction Search", a one-time account setting): the README says so.
 */
export class XRayDaemonSpanExporter implements SpanExporter {
  private readonly host: string;
  private readonly port: number;

  constructor(
    private readonly onError: (message: string, error: unknown) => void,
    address = process.env.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000',
  ) {
    const separator = address.lastIndexOf(':');
    const port = Number(address.slice(separator + 1));
    if (separator <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`AWS_XRAY_DAEMON_ADDRESS is "${address}"; expected host:port, e.g. 127.0.0.1:2000`);
    }
    this.host = address.slice(0, separator);
    this.port = port;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let settled = false;
    const settle = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      if (result.error) this.onError('trace spans were not exported', result.error);
      done(result);
    };
    const fail = (error: Error) => settle({ code: ExportResultCode.FAILED, error });
    let body: Uint8Array | undefined;
    try {
      body = ProtobufTraceSerializer.serializeRequest(spans);
    } catch (error) {
      return fail(error as Error);
    }
    if (!body) return fail(new Error('the spans could not be serialized as OTLP'));
    const message = Buffer.from(`${XRAY_DAEMON_HEADER}\n${OTLP_SPANS_PREFIX}${Buffer.from(body).toString('base64')}`);
    // A UDP datagram carries at most 65,507 bytes; a larger batch would be cut, not delivered.
    if (message.length > MAX_DATAGRAM_BYTES) return fail(new Error(`${spans.length} spans make a ${message.length}-byte datagram (at most ${MAX_DATAGRAM_BYTES})`));
    const socket = createSocket('udp4');
    socket.on('error', fail);
    socket.unref(); // a pending send never keeps a process alive
    socket.send(message, this.port, this.host, (error) => {
      socket.close();
      if (error) fail(error);
      else settle({ code: ExportResultCode.SUCCESS });
    });
  }

  async shutdown(): Promise<void> {}
}

export const XRAY_DAEMON_HEADER = '{"format":"json","version":1}';
export const OTLP_SPANS_PREFIX = 'T1S';
const MAX_DATAGRAM_BYTES = 65_507;
