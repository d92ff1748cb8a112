import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PinnedHttpClient } from '../../lib/adapters/http/pinned-http-client';
import { runSmokeTests, type SecretResolver } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';

/**
 * Issue 23 item 1: a secret header that the endpoint echoes must not reach the reason (so logs, the
 * execution history, the verdict event, the stored report, the notification) in clear or in a common
 * encoding. A real server on loopback echoes what it received, so the test sees what the HTTP client
 * actually sent (Node's fetch trims surrounding whitespace from header values), not what was stored.
 */

const htmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** The ways an endpoint echoes a header value: each a JSON response whose `echo` field (or whole body) the failing assertion quotes. */
const ECHOES: Record<string, (value: string) => { json?: unknown; text?: string }> = {
  'as a JSON field': (value) => ({ json: { echo: value } }),
  'in a nested object': (value) => ({ json: { echo: { headers: { authorization: value } } } }),
  'JSON-escaped twice (JSON text in a string)': (value) => ({ json: { echo: JSON.stringify({ authorization: value }) } }),
  'JSON-escaped three times': (value) => ({ json: { echo: JSON.stringify(JSON.stringify({ authorization: value })) } }),
  'URL-encoded': (value) => ({ json: { echo: `https://x.example/?token=${encodeURIComponent(value)}` } }),
  'URL-encoded, lower-case hex': (value) => ({ json: { echo: encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()) } }),
  'form-encoded': (value) => ({ json: { echo: new URLSearchParams({ token: value }).toString() } }),
  'HTML-escaped': (value) => ({ json: { echo: `<p>${htmlEscape(value)}</p>` } }),
  'HTML numeric entities': (value) => ({ json: { echo: value.replace(/[&<>"'/]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`) } }),
  'Go-style JSON (<, >, & as \\u escapes)': (value) => ({ text: `{"echo":${JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}}` }),
  'PHP-style JSON (escaped slashes)': (value) => ({ text: `{"echo":${JSON.stringify(value).replace(/\//g, '\\/')}}` }),
  'in a plain-text body': (value) => ({ text: `you sent ${value}` }),
  'base64': (value) => ({ json: { echo: Buffer.from(value).toString('base64') } }),
};

/** Secrets as stored (a trailing newline is what `--secret-string file://…` leaves). */
const SECRETS: Record<string, string> = {
  plain: 'plain-token-0123456789',
  'trailing newline': 'file-token-abcdef123\n',
  'surrounding spaces': '  spaced-token-4567  ',
  'tab and CRLF': '\tTabbed-token-89\r\n',
  'JSON specials': 'quote"back\\slash-token',
  'URL specials': 'a/b+c=d&e?f#g%h-token',
  'HTML specials': `<tag>&"amp'-token`,
  'base64 key': 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=+/x',
  'space inside': 'two words-token-11',
};

const target = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
let server: Server;
let base: string;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const sent = String(request.headers['x-api-key'] ?? '');
    received.push(sent);
    const way = ECHOES[decodeURIComponent(request.url!.slice(1))];
    const reply = way(sent);
    response.writeHead(200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain' });
    response.end(reply.json !== undefined ? JSON.stringify(reply.json) : reply.text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const resolverOf = (value: string): SecretResolver => ({ resolve: async () => value });
const http = new PinnedHttpClient({ addressProblem: () => undefined }); // the echo server listens on loopback

async function echoRun(way: string, stored: string, path = way === 'in a plain-text body' ? '$' : '$.echo') {
  const written = parsePolicy({
    metrics: [{ preset: 'lambda-error-rate' }],
    smokeTests: [{ name: 'echo', type: 'http', url: `http://smoke-server.test/${encodeURIComponent(way)}`, headers: { 'X-Api-Key': { parameter: '/orders/api-key' } }, expect: { json: [{ path, equals: 'not what is echoed' }] } }],
  }).smokeTests;
  const tests = written.map((test) => (test.type === 'http' ? { ...test, url: test.url.replace('http://smoke-server.test', base) } : test));
  return runSmokeTests(tests, target, { invoker: { invoke: async () => ({ payload: '{}' }) }, http, stopwatch: () => 0, concurrency: 1, hostProblem: () => undefined, secrets: resolverOf(stored) });
}

/** Every form in which the sent value may show: as sent, each echo encoding, and those as a JSON string quotes them (once and twice). */
function leakedForms(sent: string): string[] {
  const encoded = [sent, ...Object.values(ECHOES).flatMap((way) => {
    const reply = way(sent);
    if (reply.text !== undefined) return [reply.text];
    const echo = (reply.json as { echo: unknown }).echo;
    return typeof echo === 'string' ? [echo] : [JSON.stringify(echo)];
  }), encodeURIComponent(sent), new URLSearchParams({ t: sent }).toString().slice(2), htmlEscape(sent), Buffer.from(sent).toString('base64')];
  return [...new Set(encoded.flatMap((form) => [form, JSON.stringify(form).slice(1, -1), JSON.stringify(JSON.stringify(form)).slice(1, -1)]))];
}

describe('a secret echoed by the endpoint is masked in what it was sent as and its common encodings (9 secrets × 13 echoes)', () => {
  const cases = Object.keys(SECRETS).flatMap((secret) => Object.keys(ECHOES).map((way) => [secret, way] as const));

  test.each(cases)('%s, echoed %s', async (secret, way) => {
    received.length = 0;
    const { summary, results } = await echoRun(way, SECRETS[secret]);
    expect(received).toHaveLength(1);
    const sent = received[0];
    expect(sent.length).toBeGreaterThanOrEqual(8);
    expect(results[0].passed).toBe(false);
    const shown = JSON.stringify({ summary, results });
    const leaks = leakedForms(sent).filter((form) => summary.reason.includes(form) || shown.includes(form));
    expect(leaks).toEqual([]);
  });
});

describe('secrets that cannot be sent and masked safely are refused, naming the header and the reference, never the value', () => {
  const TOO_SHORT = 'is shorter than 8 characters (surrounding whitespace trimmed), too short to be masked in reasons without the masks showing it; not sent';
  const UNSENDABLE = 'contains a line break, control or non-ASCII character inside it; only printable ASCII, space and tab can be sent and masked';
  test.each([
    ['a 1-character secret', 'x', TOO_SHORT],
    ['a 3-character secret', 'ab1', TOO_SHORT],
    ['a 7-character secret', 'abc1234', TOO_SHORT],
    ['an empty secret', '', TOO_SHORT],
    ['a secret of whitespace only', ' \n', TOO_SHORT],
    ['a short secret padded with whitespace', '   abc\n', TOO_SHORT],
    ['a secret with a line break inside', 'first-line\nsecond-line', UNSENDABLE],
    ['a secret with a NUL inside', 'token\u0000with-nul', UNSENDABLE],
    ['a secret with a non-ASCII character', 'pässwört-token', UNSENDABLE],
    ['a secret with an emoji', 'token-🔑-value', UNSENDABLE],
  ])('%s is not sent (a short value: a mask over each of its occurrences would show it)', async (_case, stored, problem) => {
    received.length = 0;
    const { results } = await echoRun('as a JSON field', stored);
    expect(received).toEqual([]);
    expect(results[0].reason).toBe(`GET ${base}/as%20a%20JSON%20field not called: header X-Api-Key: the value of SSM parameter /orders/api-key ${problem}`);
  });

  test('8 characters is enough, and the mask covers only the echoed value', async () => {
    received.length = 0;
    const { results } = await echoRun('as a JSON field', 'abcd1234\n');
    expect(received).toEqual(['abcd1234']);
    expect(results[0].reason).toBe('$.echo is "***", expected "not what is echoed"');
  });
});
