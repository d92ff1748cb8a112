import { matchesPattern, normaliseText, signatureOf } from '../../../lib/evaluation/logs';

describe('signatureOf', () => {
  test('lines of one failure with different ids, numbers, hex, addresses and quoted values share a signature', () => {
    const a = signatureOf('payment declined for order 3f0c2a51-9d1e-4b7a-a1c3-0e4f5a6b7c8d: card ending 4242 (code 51)');
    const b = signatureOf('payment declined for order 7e1d9b02-1111-4c2d-b3e4-ffeeddccbbaa: card ending 1881 (code 59)');
    expect(a).toBe(b);
    expect(a).toBe('payment declined for order <UUID>: card ending <NUM> (code <NUM>)');
    expect(signatureOf('reset by 10.0.3.7:5432 after 12 ms, trace 0x1f2e3d, commit 9fceb02d0ae598e95dc970b74767f19372d61af8')).toBe(
      signatureOf('reset by 192.168.1.20:6000 after 900 ms, trace 0xabc, commit 0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e'),
    );
    expect(signatureOf(`user "alice" not found`)).toBe(signatureOf(`user "bob" not found`));
    expect(signatureOf('timed out after 1500ms')).toBe(signatureOf('timed out after 1.5s'));
  });

  test('different failures keep different signatures', () => {
    expect(signatureOf('payment declined for order 1')).not.toBe(signatureOf('payment accepted for order 1'));
    expect(signatureOf('TypeError: x is undefined')).not.toBe(signatureOf('RangeError: x is undefined'));
  });

  test('a Lambda runtime line loses its time and request id; a JSON line is its error type and message; only a trace header counts', () => {
    expect(signatureOf('2026-12-07T12:00:01.123Z\t3f0c2a51-9d1e-4b7a-a1c3-0e4f5a6b7c8d\tERROR\tInvoke Error boom')).toBe('ERROR Invoke Error boom');
    const json = JSON.stringify({ timestamp: '2026-12-07T12:00:01Z', level: 'ERROR', requestId: 'abc', errorType: 'TypeError', message: "Cannot read properties of undefined (reading 'x')" });
    expect(signatureOf(json)).toBe('TypeError: Cannot read properties of undefined (reading <STR>)');
    expect(signatureOf(JSON.stringify({ level: 'ERROR', error: { message: 'disk full on /dev/sda1' } }))).toBe('disk full on /dev/sda1');
    expect(signatureOf('Error: boom\n    at f (/var/task/a.js:1:2)\n    at g (/var/task/b.js:3:4)')).toBe('Error: boom');
  });

  test('a very long line is cut', () => {
    expect(signatureOf(`x ${'word '.repeat(200)}`).length).toBeLessThanOrEqual(161);
  });
});

describe('matchesPattern (a Logs Insights `pattern` row against a line)', () => {
  test('dynamic tokens match any text, the rest literally', () => {
    expect(matchesPattern('user 42 not found in tenant 7', 'user <*> not found in tenant <Token-2>')).toBe(true);
    expect(matchesPattern('user 42 was found in tenant 7', 'user <*> not found in tenant <*>')).toBe(false);
    expect(matchesPattern('price (USD) is 3.50', 'price (USD) is <*>')).toBe(true);
  });

  test('normaliseText keeps words, replaces values', () => {
    expect(normaliseText('took 12 s on arn:aws:dynamodb:us-east-1:123456789012:table/x at https://a.example/b?c=1')).toBe('took <NUM> s on <ARN> at <URL>');
  });
});
