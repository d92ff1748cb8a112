import { chatText } from '../../../lib/evaluation/notification';
import { sampleLine, MAX_SAMPLE_LENGTH } from '../../../lib/evaluation/logs';
import { escapeHtml } from '../../../lib/report/html-report';

describe('sampleLine', () => {
  test('masks secret-shaped values the evaluator does not know, and the values it does', () => {
    const line = 'auth failed: Authorization: Bearer abc.def.ghi password=hunter2 key AKIAABCDEFGHIJKLMNOP jwt eyJhbGciOi.eyJzdWIi.sig https://bob:s3cret@db.example/x token: "t0k3n" custom sk-live-123456789';
    const sample = sampleLine(line, ['sk-live-123456789']);
    for (const secret of ['abc.def.ghi', 'hunter2', 'AKIAABCDEFGHIJKLMNOP', 'eyJhbGciOi', 's3cret', 't0k3n', 'sk-live-123456789']) expect(sample).not.toContain(secret);
    expect(sample).toContain('Authorization: ***');
    expect(sample).toContain('password=***');
  });

  test('is cut to a readable length', () => {
    expect(sampleLine('x'.repeat(5000), []).length).toBeLessThanOrEqual(MAX_SAMPLE_LENGTH + 1);
  });

  test('renderers escape it: no markup in chat or HTML from a log line', () => {
    const sample = sampleLine('<script>alert(1)</script> <!channel> [link](https://evil.example)', []);
    expect(escapeHtml(sample)).not.toMatch(/<script>/);
    expect(chatText(sample)).not.toMatch(/<!channel>|\[link\]\(/);
  });
});
