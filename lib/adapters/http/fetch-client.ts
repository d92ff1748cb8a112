import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HttpClient, HttpRequest, HttpResponse } from '../../evaluation/ports';
import { deniedHostReason } from '../../policy/smoke-safety';

export interface FetchHttpClientDependencies {
  /** Resolves a host name to its addresses. @default node:dns/promises `lookup` with `all: true` */
  readonly lookup?: (host: string) => Promise<ReadonlyArray<{ readonly address: string }>>;
  /** @default the runtime's `fetch` */
  readonly fetch?: typeof fetch;
}

/**
 * HTTP checks with the runtime's `fetch`; the timeout aborts the request. A host name that resolves to
 * a loopback or link-local address (a DNS name pointing at 127.0.0.1 or 169.254.169.254) is refused
 * before the request: the allow-list checks names, this checks what they resolve to. (A name that
 * changes between this lookup and fetch's own is not caught: the Lambda cannot pin fetch's address.)
 */
export class FetchHttpClient implements HttpClient {
  private readonly lookup: NonNullable<FetchHttpClientDependencies['lookup']>;
  private readonly fetch: typeof fetch;

  constructor(deps: FetchHttpClientDependencies = {}) {
    this.lookup = deps.lookup ?? ((host) => dnsLookup(host, { all: true }));
    this.fetch = deps.fetch ?? fetch;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const host = new URL(request.url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) {
      for (const { address } of await this.lookup(host)) {
        const denied = deniedHostReason(address);
        if (denied) throw new Error(`${host} resolves to ${address}, which is ${denied}; not called`);
      }
    }
    const response = await this.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    }).catch((error: Error) => {
      throw new Error(error.name === 'TimeoutError' ? `no response within ${request.timeoutMs} ms` : error.message);
    });
    return { status: response.status, body: await response.text() };
  }
}
