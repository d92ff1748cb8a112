import fc from 'fast-check';
import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { PinnedHttpClient } from '../../lib/adapters/http/pinned-http-client';

/**
 * Issue 11 finding 10 and issue 23 item 2: a smoke test never reaches loopback or link-local, whatever
 * the name resolves to and whenever. The resolver here is controlled by the test, and the would-be
 * target is a real HTTP server on 127.0.0.1.
 */
let server: Server;
let port: number;
const hits: Array<{ host: string; url: string }> = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push({ host: String(request.headers.host), url: String(request.url) });
    if (request.url === '/redirect') return void response.writeHead(302, { location: '/target' }).end();
    if (request.url === '/slow') return void setTimeout(() => response.end('{}'), 2000);
    response.end('{"reached":"loopback"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (hits.length = 0));

const get = (url: string, timeoutMs = 2000) => ({ url, method: 'GET' as const, headers: {}, timeoutMs });

/**
 * A rebinding resolver: its first answer for `rebind.test` is harmless (TEST-NET-1, RFC 5737), every
 * later one is 127.0.0.1. It answers both the client's own lookup and the system resolver (`dns.lookup`,
 * which sockets use unless told otherwise), as a real rebinding DNS server would.
 */
function withRebindingDns<T>(run: (lookup: (host: string) => Promise<Array<{ address: string; family: number }>>, answers: () => number) => Promise<T>): Promise<T> {
  let answers = 0;
  const answer = (host: string) => (host === 'rebind.test' && ++answers === 1 ? '192.0.2.10' : '127.0.0.1');
  const original = dns.lookup;
  (dns as { lookup: unknown }).lookup = (host: string, options: unknown, callback?: (...args: unknown[]) => void) => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const address = answer(host);
    if (typeof options === 'object' && (options as { all?: boolean }).all) done(null, [{ address, family: 4 }]);
    else done(null, address, 4);
  };
  return run(async (host) => [{ address: answer(host), family: 4 }], () => answers).finally(() => ((dns as { lookup: unknown }).lookup = original));
}

describe('PinnedHttpClient', () => {
  test('DNS rebinding: the name is resolved once and the connection goes to the checked address, never to the second answer', async () => {
    await withRebindingDns(async (lookup, answers) => {
      const client = new PinnedHttpClient({ lookup });
      // The checked answer is not routable here: the request fails (refused, unreachable or timed out) instead of reaching loopback.
      await expect(client.request(get(`http://rebind.test:${port}/`, 1000))).rejects.toThrow();
      expect(hits).toEqual([]);
      expect(answers()).toBe(1);
    });
  });

  test('DNS rebinding the other way: a name whose answer is loopback is refused before any connection', async () => {
    await withRebindingDns(async (lookup) => {
      await lookup('rebind.test'); // spend the harmless first answer
      const client = new PinnedHttpClient({ lookup });
      await expect(client.request(get(`http://rebind.test:${port}/`))).rejects.toThrow('rebind.test resolves to 127.0.0.1, which is loopback; not called');
      expect(hits).toEqual([]);
    });
  });

  test.each([
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local (instance metadata)'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['fd00:ec2::254', 'link-local (instance metadata)'],
    ['0.0.0.0', 'the unspecified address'],
  ])('a name with %s among its addresses is not called', async (address, reason) => {
    const client = new PinnedHttpClient({ lookup: async () => [{ address: '203.0.113.10' }, { address }] });
    await expect(client.request(get(`http://rebind.test:${port}/`))).rejects.toThrow(`rebind.test resolves to ${address}, which is ${reason}; not called`);
    expect(hits).toEqual([]);
  });

  test.each([
    ['http://127.0.0.1:PORT/', '127.0.0.1 is loopback'],
    ['http://[::1]:PORT/', '::1 is loopback'],
    ['http://0x7f000001:PORT/', '127.0.0.1 is loopback'],
    ['http://2130706433:PORT/', '127.0.0.1 is loopback'],
  ])('an address literal %s is checked too', async (url, reason) => {
    await expect(new PinnedHttpClient().request(get(url.replace('PORT', String(port))))).rejects.toThrow(`${reason}; not called`);
    expect(hits).toEqual([]);
  });

  test('a checked address is called with the URL\'s host in the Host header', async () => {
    const lookup = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const client = new PinnedHttpClient({ lookup, addressProblem: () => undefined });
    await expect(client.request(get(`http://orders.example.com:${port}/health`))).resolves.toEqual({ status: 200, body: '{"reached":"loopback"}' });
    expect(hits).toEqual([{ host: `orders.example.com:${port}`, url: '/health' }]);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  test('redirects are not followed', async () => {
    const client = new PinnedHttpClient({ lookup: async () => [{ address: '127.0.0.1' }], addressProblem: () => undefined });
    await expect(client.request(get(`http://orders.example.com:${port}/redirect`))).resolves.toMatchObject({ status: 302 });
    expect(hits.map((hit) => hit.url)).toEqual(['/redirect']);
  });

  test('the timeout covers the whole exchange', async () => {
    const client = new PinnedHttpClient({ lookup: async () => [{ address: '127.0.0.1' }], addressProblem: () => undefined });
    await expect(client.request(get(`http://orders.example.com:${port}/slow`, 200))).rejects.toThrow('no response within 200 ms');
  });

  test('HTTPS to a checked address keeps the host name as the TLS server name (SNI)', async () => {
    const names: string[] = [];
    // The server records the ClientHello's server name, then ends the handshake (it has no certificate).
    const tls: TlsServer = createTlsServer({ SNICallback: (name, callback) => (names.push(name), callback(new Error('no certificate here'))) });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const client = new PinnedHttpClient({ lookup: async () => [{ address: '127.0.0.1' }], addressProblem: () => undefined });
      await expect(client.request(get(`https://orders.example.com:${(tls.address() as AddressInfo).port}/`))).rejects.toThrow();
      expect(names).toEqual(['orders.example.com']);
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

describe('PinnedHttpClient under generated resolver answers (fuzz)', () => {
  /**
   * Two servers on one port: 127.0.0.2 stands for the checked, allowed address and 127.0.0.1 for the
   * rebinding target. The client's resolver and the system resolver give generated answers per call;
   * whatever they say, the target is never reached, and the allowed server is reached exactly when
   * every address of the one lookup is allowed.
   */
  let target: Server;
  let allowed: Server;
  let targetHits = 0;
  let allowedHits = 0;
  let samePort: number;
  beforeAll(async () => {
    target = createServer((_request, response) => (targetHits++, response.end('target')));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    samePort = (target.address() as AddressInfo).port;
    allowed = createServer((_request, response) => (allowedHits++, response.end('allowed')));
    await new Promise<void>((resolve) => allowed.listen(samePort, '127.0.0.2', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => target.close(() => resolve()));
    await new Promise<void>((resolve) => allowed.close(() => resolve()));
  });

  const ADDRESSES = ['127.0.0.2', '127.0.0.1', '169.254.169.254', '::ffff:7f00:1', '0.0.0.0', '::1'];
  const answersArbitrary = fc.array(fc.array(fc.constantFrom(...ADDRESSES), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 });

  test('the rebinding target is never reached; the resolver is asked once', async () => {
    await fc.assert(
      fc.asyncProperty(answersArbitrary, async (answers) => {
        targetHits = 0;
        allowedHits = 0;
        let calls = 0;
        const next = () => answers[Math.min(calls++, answers.length - 1)].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        const original = dns.lookup;
        // The system resolver always answers with the target, as the rebinding DNS server's later answers do.
        (dns as { lookup: unknown }).lookup = (_host: string, options: unknown, callback?: (...args: unknown[]) => void) => {
          const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
          if (typeof options === 'object' && (options as { all?: boolean }).all) done(null, [{ address: '127.0.0.1', family: 4 }]);
          else done(null, '127.0.0.1', 4);
        };
        try {
          const client = new PinnedHttpClient({ lookup: async () => next(), addressProblem: (address) => (address === '127.0.0.2' ? undefined : 'not the allowed address') });
          const outcome = await client.request(get(`http://rebind.test:${samePort}/`)).then((response) => response.body, (error: Error) => error.message);
          const firstAllowed = answers[0].every((address) => address === '127.0.0.2');
          expect(targetHits).toBe(0);
          expect(calls).toBe(1);
          expect(allowedHits).toBe(firstAllowed ? 1 : 0);
          expect(outcome).toBe(firstAllowed ? 'allowed' : `rebind.test resolves to ${answers[0].find((address) => address !== '127.0.0.2')}, which is not the allowed address; not called`);
        } finally {
          (dns as { lookup: unknown }).lookup = original;
        }
      }),
      { numRuns: 150, seed: 23 },
    );
  });
});
