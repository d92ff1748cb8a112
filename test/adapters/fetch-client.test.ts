import { FetchHttpClient } from '../../lib/adapters/http/fetch-client';

/** Issue 11 finding 10: a name that resolves to loopback or link-local is refused after DNS resolution. */
describe('FetchHttpClient DNS check', () => {
  const request = (url: string) => ({ url, method: 'GET' as const, headers: {}, timeoutMs: 1000 });
  const okFetch = jest.fn(async () => new Response('{}', { status: 200 })) as unknown as typeof fetch;

  beforeEach(() => (okFetch as unknown as jest.Mock).mockClear());

  test.each([
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local (instance metadata)'],
    ['::1', 'loopback'],
  ])('a name resolving to %s is not called', async (address, reason) => {
    const client = new FetchHttpClient({ lookup: async () => [{ address: '203.0.113.10' }, { address }], fetch: okFetch });
    await expect(client.request(request('https://rebind.example.com/health'))).rejects.toThrow(`rebind.example.com resolves to ${address}, which is ${reason}; not called`);
    expect(okFetch).not.toHaveBeenCalled();
  });

  test('a name resolving to public addresses is called', async () => {
    const client = new FetchHttpClient({ lookup: async () => [{ address: '203.0.113.10' }], fetch: okFetch });
    await expect(client.request(request('https://orders.example.com/health'))).resolves.toEqual({ status: 200, body: '{}' });
    expect(okFetch).toHaveBeenCalledTimes(1);
  });
});
