import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { HttpClient, HttpRequest, HttpResponse } from '../../evaluation/ports';
import { deniedHostReason } from '../../policy/smoke-safety';

export interface PinnedHttpClientDependencies {
  /** Resolves a host name to all its addresses; called once per request. @default node:dns/promises `lookup` with `all: true` */
  readonly lookup?: (host: string) => Promise<ReadonlyArray<{ readonly address: string; readonly family?: number }>>;
  /** Why an address must not be called, or `undefined`. @default - loopback and link-local are refused (`deniedHostReason`) */
  readonly addressProblem?: (address: string) => string | undefined;
  /**
   * Headers every request carries unless the smoke test sets its own of that name (case-insensitive):
   * the evaluation's trace context and a recognisable `User-Agent`. @default none
   */
  readonly defaultHeaders?: () => Readonly<Record<string, string>>;
}

/**
 * HTTP checks that connect only to addresses they have checked. The host name is resolved once, every
 * address is checked (loopback: the Lambda runtime API; link-local: instance metadata), and the
 * connection is made to those addresses through a `lookup` that returns them instead of asking DNS
 * again, so a name whose next answer is 127.0.0.1 (DNS rebinding) cannot slip through. The URL still
 * gives the Host header and the TLS server name (Node's http/https `request` option `lookup`, passed to
 * the socket: https://nodejs.org/api/net.html#socketconnectoptions-connectlistener). Redirects are
 * never followed; the timeout covers the whole exchange.
 */
export class PinnedHttpClient implements HttpClient {
  private readonly lookup: NonNullable<PinnedHttpClientDependencies['lookup']>;
  private readonly addressProblem: NonNullable<PinnedHttpClientDependencies['addressProblem']>;
  private readonly defaultHeaders: NonNullable<PinnedHttpClientDependencies['defaultHeaders']>;

  constructor(deps: PinnedHttpClientDependencies = {}) {
    this.lookup = deps.lookup ?? ((host) => dnsLookup(host, { all: true }));
    this.addressProblem = deps.addressProblem ?? deniedHostReason;
    this.defaultHeaders = deps.defaultHeaders ?? (() => ({}));
  }

  /** The request's headers over the defaults: a header the smoke test names is its own. */
  private headersOf(request: HttpRequest): Record<string, string> {
    const own = new Set(Object.keys(request.headers ?? {}).map((name) => name.toLowerCase()));
    const defaults = Object.entries(this.defaultHeaders()).filter(([name]) => !own.has(name.toLowerCase()));
    return { ...Object.fromEntries(defaults), ...request.headers };
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const addresses = await this.checkedAddresses(url.hostname.replace(/^\[|\]$/g, ''));
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    };
    return new Promise<HttpResponse>((resolve, reject) => {
      let timedOut = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(new Error(timedOut ? `no response within ${request.timeoutMs} ms` : error.message));
      };
      const onResponse = (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      };
      // Any other protocol: node:http refuses it (the policy schema allows http and https only).
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      let outgoing: ReturnType<typeof send>;
      try {
        // agent: false — a fresh connection per request, never a pooled socket opened for an earlier answer.
        outgoing = send(url, { method: request.method, headers: this.headersOf(request), lookup: pinned, agent: false }, onResponse);
      } catch (error) {
        // Node refuses a header it cannot send; its message names the header, never the value.
        reject(new Error((error as Error).message));
        return;
      }
      const timer = setTimeout(() => {
        timedOut = true;
        outgoing.destroy();
      }, request.timeoutMs);
      outgoing.on('error', fail);
      outgoing.end(request.body);
    });
  }

  /** The host's addresses, resolved once and each checked; an IP literal is checked as it is. */
  private async checkedAddresses(host: string): Promise<Array<{ address: string; family: number }>> {
    const literal = isIP(host);
    const answers = literal !== 0 ? [{ address: host, family: literal }] : await this.lookup(host);
    if (answers.length === 0) throw new Error(`${host} resolves to no address; not called`);
    return answers.map(({ address, family }) => {
      const denied = this.addressProblem(address);
      if (denied) throw new Error(literal !== 0 ? `${host} is ${denied}; not called` : `${host} resolves to ${address}, which is ${denied}; not called`);
      return { address, family: family ?? isIP(address) };
    });
  }
}
