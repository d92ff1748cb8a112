import type { HttpClient, HttpRequest, HttpResponse } from '../../evaluation/ports';

/** HTTP checks with the runtime's `fetch`; the timeout aborts the request. */
export class FetchHttpClient implements HttpClient {
  async request(request: HttpRequest): Promise<HttpResponse> {
    const response = await fetch(request.url, {
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
