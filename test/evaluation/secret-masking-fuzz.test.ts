import fc from 'fast-check';
import { MAX_MASKED_LENGTH, MIN_SECRET_LENGTH, maskSecrets, sendableSecret } from '../../lib/evaluation/secret-masking';

/**
 * Issue 23 item 1, kept fixed: generated secrets, echoed through generated chains of encodings inside
 * generated text, never survive masking; text without a secret is left as it is. The encoders here are
 * written independently of the masking's decoders (Node's and the platform's own functions).
 */

const ENCODERS: Record<string, (text: string) => string> = {
  json: (text) => JSON.stringify(text).slice(1, -1),
  jsonSlashes: (text) => JSON.stringify(text).slice(1, -1).replace(/\//g, '\\/'),
  jsonAsciiSafe: (text) => JSON.stringify(text).slice(1, -1).replace(/[<>&'"]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  uri: encodeURIComponent,
  uriLower: (text) => encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  uriFull: (text) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
  form: (text) => new URLSearchParams({ v: text }).toString().slice(2),
  html: (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  htmlHex: (text) => text.replace(/[^A-Za-z0-9 ]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
  htmlDecimal: (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
};

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: MIN_SECRET_LENGTH, maxLength: 40 });
const secret = fc.tuple(printable, fc.constantFrom('', '\n', '\r\n', ' ', '\t')).map(([value, tail]) => value + tail);
const chain = fc.array(fc.constantFrom(...Object.keys(ENCODERS)), { maxLength: 3 });
const filler = fc.string({ unit: fc.constantFrom(...'abcxyz019 .,:-_'), maxLength: 30 });

describe('secret masking under generated secrets and encodings', () => {
  test('an echoed secret (as sent, base64 or not, through up to 3 encodings, quoted by the reason) never survives', () => {
    fc.assert(
      fc.property(secret, chain, fc.boolean(), fc.boolean(), filler, filler, (stored, encoders, base64, basicAuth, before, after) => {
        const sendable = sendableSecret(stored);
        fc.pre('value' in sendable);
        const sent = (sendable as { value: string }).value;
        const start = base64 ? Buffer.from(basicAuth ? `user:${sent}` : sent).toString('base64') : sent;
        const forms = encoders.reduce((steps, name) => [...steps, ENCODERS[name](steps[steps.length - 1])], [start]);
        const echoed = `${before}${forms[forms.length - 1]}${after}`;
        // The reason quotes a response value as JSON.stringify does.
        const reason = `$.echo is ${JSON.stringify(echoed)}, expected "ok"`;
        const masked = maskSecrets(reason, [sent]);
        for (const form of [sent, ...forms]) expect(masked).not.toContain(form);
      }),
      { numRuns: 600, seed: 23 },
    );
  });

  test('a long text is cut before masking, and a secret the cut splits is masked too', () => {
    fc.assert(
      fc.property(secret, fc.constantFrom(...Object.keys(ENCODERS)), fc.integer({ min: 1, max: 7 }), (stored, encoder, keep) => {
        const sendable = sendableSecret(stored);
        fc.pre('value' in sendable);
        const sent = (sendable as { value: string }).value;
        const encoded = ENCODERS[encoder](sent);
        fc.pre(keep < encoded.length);
        // The encoded secret straddles the cut: its first `keep` characters are the last ones kept.
        const text = `${'·'.repeat(MAX_MASKED_LENGTH - keep)}${encoded}${'·'.repeat(100)}`; // · is in no secret or encoding
        const masked = maskSecrets(text, [sent]);
        expect(masked.length).toBeLessThanOrEqual(MAX_MASKED_LENGTH + 4); // a mask may be longer than what it covers
        expect(masked.endsWith('…')).toBe(true);
        expect(masked.slice(MAX_MASKED_LENGTH - keep - 1)).not.toContain(encoded.slice(0, Math.max(keep, 1)));
      }),
      { numRuns: 300, seed: 23 },
    );
  });

  test('text that does not contain the secret is not changed', () => {
    fc.assert(
      fc.property(secret, fc.string({ maxLength: 200 }), (stored, text) => {
        const sendable = sendableSecret(stored);
        fc.pre('value' in sendable);
        const sent = (sendable as { value: string }).value;
        fc.pre(!text.includes(sent) && !decodeURIComponentSafe(text).includes(sent));
        expect(maskSecrets(text, [sent])).toBe(text);
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
