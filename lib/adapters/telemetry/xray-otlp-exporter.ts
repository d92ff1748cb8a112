import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { signRequest, type AwsCredentials } from './sigv4';

/**
 * The longest an export may take: an HTTPS round trip in the Region, the TLS handshake of a new container
 * included, with room to spare (a bound chosen, not measured here: there is no AWS account to measure on).
 * The invocation's flush waits as long, then drops the spans, so a hook still reports in time.
 */
export const TRACE_EXPORT_TIMEOUT_MS = 1000;

/** The X-Ray service name SigV4 signs the OTLP traces endpoint's requests for. */
export const XRAY_SIGNING_NAME = 'xray';
/** `https://xray.<region>.amazonaws.com/v1/traces` (CloudWatch User Guide, "OTLP Endpoints", traces endpoint). */
export const xrayOtlpTracesEndpoint = (region: string) => `https://xray.${region}.amazonaws.com/v1/traces`;

export interface XRayOtlpSpanExporterOptions {
  /** Told of an export that failed, with the reason; the invocation goes on. */
  readonly onError: (message: string, error: unknown) => void;
  /** @default process.env.AWS_REGION (Lambda sets it) */
  readonly region?: string;
  /**
   * Where the spans go. @default process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (OpenTelemetry's
   * variable), else the X-Ray OTLP traces endpoint of the Region
   */
  readonly endpoint?: string;
  /** @default the function's role credentials Lambda puts in the environment (`AWS_ACCESS_KEY_ID`, …) */
  readonly credentials?: () => AwsCredentials | undefined;
  /** A request still open after this is aborted and reported. @default TRACE_EXPORT_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * Sends spans to the X-Ray OTLP traces endpoint over HTTPS, OTLP/JSON signed with SigV4 as the
 * function's role. Why this route: the X-Ray daemon reaches end of support on 25 February 2027 (AWS
 * X-Ray Developer Guide, "X-Ray SDK and daemon end of support timeline"), and the OTLP endpoint is what
 * AWS points OpenTelemetry exporters to instead. It needs no collector layer, and one permission,
 * `xray:PutTraceSegments`, which authorizes the endpoint (X-Ray Developer Guide, "Setting up bearer token
 * authentication for traces") and which Lambda active tracing grants already. The endpoint takes JSON or
 * protobuf, at most 5 MB uncompressed per request (CloudWatch User Guide, "OTLP Endpoints"); JSON keeps
 * the protobuf encoder out of the bundles. The account must have CloudWatch Transaction Search enabled
 * (a one-time setting; docs/architecture.md, "Traces"), or the endpoint refuses the spans.
 */
export class XRayOtlpSpanExporter implements SpanExporter {
  private readonly endpoint: URL;
  private readonly region: string;
  private readonly credentials: () => AwsCredentials | undefined;

  constructor(private readonly options: XRayOtlpSpanExporterOptions) {
    const region = options.region ?? process.env.AWS_REGION;
    if (!region) throw new Error('AWS_REGION is not set; the X-Ray OTLP traces endpoint is per Region (set `region`)');
    this.region = region;
    const endpoint = options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? xrayOtlpTracesEndpoint(region);
    try {
      this.endpoint = new URL(endpoint);
    } catch {
      throw new Error(`the OTLP traces endpoint is "${endpoint}"; expected a URL such as ${xrayOtlpTracesEndpoint(region)}`);
    }
    this.credentials = options.credentials ?? credentialsFromEnvironment;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.send(spans).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => {
        this.options.onError('trace spans were not exported', error);
        done({ code: ExportResultCode.FAILED, error });
      },
    );
  }

  async shutdown(): Promise<void> {}

  private async send(spans: ReadableSpan[]): Promise<void> {
    const body = JsonTraceSerializer.serializeRequest(spans);
    if (!body) throw new Error('the spans could not be serialized as OTLP');
    const credentials = this.credentials();
    if (!credentials) throw new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to sign the export with');
    const headers = signRequest({ method: 'POST', url: this.endpoint, headers: { 'content-type': 'application/json' }, body }, XRAY_SIGNING_NAME, this.region, credentials);
    delete headers.host; // signed, and sent by fetch itself from the URL
    const response = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? TRACE_EXPORT_TIMEOUT_MS) });
    const answer = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`${this.endpoint.href} answered HTTP ${response.status}${answer ? `: ${answer.slice(0, 500)}` : ''}`);
    // OTLP partial success: HTTP 200 with the count of spans the endpoint refused, and why.
    const partial = parsedJson(answer)?.partialSuccess as { rejectedSpans?: number | string; errorMessage?: string } | undefined;
    if (Number(partial?.rejectedSpans ?? 0) > 0) throw new Error(`${this.endpoint.href} rejected ${partial?.rejectedSpans} of ${spans.length} spans: ${partial?.errorMessage ?? 'no reason given'}`);
  }
}

function parsedJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function credentialsFromEnvironment(): AwsCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
