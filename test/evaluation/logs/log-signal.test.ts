import { EMPTY_LOG_STATE, errorCountsQuery, errorLinesQuery, baselinePatternsQuery, judgeLogs, lookAtLogs, MAX_QUERY_ROWS, type LogsQueryOutcome, type LogsQueryRequest } from '../../../lib/evaluation/logs';
import { logsSignalSchema } from '../../../lib/policy/logs';
import { runLogScenario } from '../../../lib/simulate/logs/log-run';

const T0 = Date.UTC(2026, 11, 7, 12, 0) / 1000;
const iso = (t: number, second = 0) => new Date((t + second) * 1000).toISOString().replace('T', ' ').replace('Z', '');
const VERSIONS = { canary: '42', baseline: '41' };
const signal = logsSignalSchema.parse({ logGroups: ['/aws/lambda/checkout'], errorFilter: { type: 'json-level' }, versioning: { type: 'lambda-stream' }, requestsFrom: 'errors', bytesScannedBudget: 10_000_000 });

/** A Logs Insights that answers each kind of query from a script, recording the requests. */
function scripted(answers: { patterns?: LogsQueryOutcome; counts?: (r: LogsQueryRequest) => LogsQueryOutcome; lines?: (r: LogsQueryRequest) => LogsQueryOutcome }) {
  const requests: LogsQueryRequest[] = [];
  const empty: LogsQueryOutcome = { status: 'Complete', rows: [], bytesScanned: 100 };
  return {
    requests,
    run: async (request: LogsQueryRequest) => {
      requests.push(request);
      if (request.query.includes('pattern @message')) return answers.patterns ?? empty;
      if (request.query.includes('stats count(*)')) return answers.counts?.(request) ?? empty;
      return answers.lines?.(request) ?? empty;
    },
  };
}

const exception = (t: number, i: number) => ({ '@timestamp': iso(t, i), '@message': `2026-12-07T12:00:00.000Z\t3f0c2a51-9d1e-4b7a-a1c3-0e4f5a6b7c8d\tERROR\tTypeError: x is undefined at line ${i} password=hunter2`, logVersion: '42' });
const look = (state = EMPTY_LOG_STATE, runner: ReturnType<typeof scripted>, minute: number) =>
  lookAtLogs(state, { signal, runner, versions: VERSIONS, evaluationStart: T0, from: T0, until: T0 + 60 * (minute + 1), queryTimeoutMs: 20_000, secrets: [] });
const requests = (minutes: number) => ({
  canary: Array.from({ length: minutes }, (_, m) => ({ t: T0 + 60 * m, count: 0, total: 150 })),
  baseline: Array.from({ length: minutes }, (_, m) => ({ t: T0 + 60 * m, count: 0, total: 1350 })),
});

describe('Logs Insights queries', () => {
  test('tell versions apart by the Lambda log stream or a JSON field, and filter error lines by level or pattern', () => {
    expect(errorCountsQuery({ type: 'json-level', field: 'level', values: ['ERROR', 'FATAL'] }, { type: 'lambda-stream' }, VERSIONS)).toBe(
      'parse @logStream /\\[(?<logVersion>[^\\]]+)\\]/\n| filter level in ["ERROR", "FATAL"] and logVersion in ["42", "41"]\n| stats count(*) as errors by bin(1m) as minute, logVersion',
    );
    expect(errorLinesQuery({ type: 'pattern', pattern: '\\tERROR\\t' }, { type: 'json-field', field: 'service.version' }, VERSIONS)).toContain('fields service.version as logVersion\n| filter @message like /\\tERROR\\t/');
    expect(errorLinesQuery({ type: 'pattern', pattern: 'ERROR' }, { type: 'lambda-stream' }, VERSIONS)).toContain(`limit ${MAX_QUERY_ROWS}`);
    expect(baselinePatternsQuery({ type: 'pattern', pattern: 'ERROR' }, { type: 'lambda-stream' }, '41')).toMatch(/logVersion in \["41"\]\n\| pattern @message$/);
  });
});

describe('lookAtLogs and judgeLogs', () => {
  test('a new signature on a steady share of the canary fails with its signature and masked samples; each minute is read once, at most 3 queries a look', async () => {
    const runner = scripted({
      patterns: { status: 'Complete', rows: [{ '@pattern': 'upstream timed out after <*> ms' }], bytesScanned: 1_000 },
      counts: (r) => ({ status: 'Complete', rows: [{ minute: iso(r.start), logVersion: '42', errors: '2' }, { minute: iso(r.start), logVersion: '41', errors: '12' }], bytesScanned: 200 }),
      lines: (r) => ({ status: 'Complete', rows: [exception(r.start, 1), exception(r.start, 2), { '@timestamp': iso(r.start, 3), '@message': 'upstream timed out after 1200 ms', logVersion: '42' }], bytesScanned: 200 }),
    });
    let state = EMPTY_LOG_STATE;
    let result;
    for (let minute = 0; minute < 3; minute++) {
      state = await look(state, runner, minute);
      result = judgeLogs(signal, state, requests(minute + 1), { alpha: 0.05, deadlineReached: false });
      if (result.decision === 'fail') break;
    }
    expect(result!.decision).toBe('fail');
    expect(result!.reason).toContain('"ERROR TypeError: x is undefined at line <NUM> password=***"');
    expect(result!.newSignatures[0].samples).toHaveLength(3);
    for (const sample of result!.newSignatures[0].samples) expect(sample).not.toContain('hunter2');
    // The timeout matched the current version's lookback pattern: not new.
    expect(result!.newSignatures.map((s) => s.signature)).not.toContain('upstream timed out after <NUM> ms');
    expect(state.mostQueriesPerLook).toBe(3);
    const windows = runner.requests.filter((r) => !r.query.includes('pattern')).map((r) => [r.start - T0, r.end - T0]);
    expect(windows).toEqual([[0, 59], [0, 59], [60, 119], [60, 119], [120, 179], [120, 179]].slice(0, windows.length));
    expect(runner.requests[2]).toMatchObject({ start: T0 - 24 * 3600, end: T0 - 1 });
    expect(runner.requests[2].query).toContain('pattern @message');
    expect(result!.bytesScanned).toBe(state.bytesScanned);
    expect(result!.reason).toMatch(/MB scanned \(\$0\.0000\)/);
  });

  test('one stray line of a new signature does not fail', async () => {
    const runner = scripted({ lines: (r) => ({ status: 'Complete', rows: r.start === T0 ? [exception(r.start, 1)] : [], bytesScanned: 100 }) });
    let state = EMPTY_LOG_STATE;
    for (let minute = 0; minute < 10; minute++) state = await look(state, runner, minute);
    const result = judgeLogs(signal, state, requests(10), { alpha: 0.05, deadlineReached: true });
    expect(result.newSignatures).toHaveLength(1);
    expect(result.newSignatures[0].decision).toBe('continue');
    expect(result.decision).toBe('pass');
  });

  test('a signature the current version shows in the same minutes is not new', async () => {
    const runner = scripted({ lines: (r) => ({ status: 'Complete', rows: [exception(r.start, 1), exception(r.start, 2), { ...exception(r.start, 3), logVersion: '41' }], bytesScanned: 100 }) });
    let state = EMPTY_LOG_STATE;
    for (let minute = 0; minute < 5; minute++) state = await look(state, runner, minute);
    expect(judgeLogs(signal, state, requests(5), { alpha: 0.05, deadlineReached: false }).newSignatures).toEqual([]);
    // Known signatures keep no counts or samples in the state carried between looks.
    expect(state.signatures).toEqual([expect.objectContaining({ known: true, byMinute: {}, samples: [] })]);
  });

  test('a spent budget stops the reading: nothing is judged on minutes not read, the verdict says why, minutes are read again later', async () => {
    const runner = scripted({ counts: () => ({ status: 'Stopped', rows: [], bytesScanned: 10_000_000, stoppedBecause: 'budget' }) });
    const state = await look(EMPTY_LOG_STATE, runner, 0);
    expect(state.readUntil).toBe(T0);
    expect(state.problems).toEqual(['the error-count query stopped: the bytes-scanned budget was reached']);
    expect(runner.requests[0].maxBytesScanned).toBe(10_000_000);
    const again = await look(state, runner, 1);
    expect(again.queries).toBe(1);
    expect(again.problems.at(-1)).toBe('error counts not read: the bytes-scanned budget is spent');
    const result = judgeLogs(signal, again, requests(2), { alpha: 0.05, deadlineReached: true });
    expect(result.decision).toBe('inconclusive');
    expect(result.reason).toContain('the lookback is read once the first minute has been');
  });

  test('a lookback that did not finish leaves new signatures unjudged (inconclusive at the deadline), never failed', async () => {
    const runner = scripted({ patterns: { status: 'Stopped', rows: [], bytesScanned: 500, stoppedBecause: 'time' }, lines: (r) => ({ status: 'Complete', rows: [1, 2, 3, 4, 5, 6].map((i) => exception(r.start, i)), bytesScanned: 100 }) });
    let state = EMPTY_LOG_STATE;
    for (let minute = 0; minute < 3; minute++) state = await look(state, runner, minute);
    const result = judgeLogs({ ...signal, errorRate: false }, state, requests(3), { alpha: 0.05, deadlineReached: true });
    expect(result.decision).toBe('inconclusive');
    expect(result.reason).toContain('the lookback query stopped: it did not finish within the tick');
  });

  test('a lookback that would not fit half the budget is shortened, and the verdict says so', async () => {
    // The lines query scanned 100 bytes for the minute: 1.67 bytes/s; half of 10,000 bytes is 50 min: under 1 h.
    const state = await lookAtLogs(EMPTY_LOG_STATE, { signal: { ...signal, bytesScannedBudget: 10_000 }, runner: scripted({}), versions: VERSIONS, evaluationStart: T0, from: T0, until: T0 + 60, queryTimeoutMs: 20_000 });
    expect(state.lookback).toMatchObject({ complete: false, seconds: 0 });
    expect(state.lookback!.problem).toMatch(/at least 1 h would scan over half the bytes-scanned budget/);
    const wide = await lookAtLogs(EMPTY_LOG_STATE, { signal: { ...signal, bytesScannedBudget: 2_000_000 }, runner: scripted({}), versions: VERSIONS, evaluationStart: T0, from: T0, until: T0 + 60, queryTimeoutMs: 20_000 });
    // 1.67 bytes/s; half of 2 MB is 600,000 s: the full 24 h fits.
    expect(wide.lookback).toMatchObject({ complete: true, seconds: 24 * 3600 });
    const tight = await lookAtLogs(EMPTY_LOG_STATE, { signal: { ...signal, bytesScannedBudget: 60_000 }, runner: scripted({}), versions: VERSIONS, evaluationStart: T0, from: T0, until: T0 + 60, queryTimeoutMs: 20_000 });
    // Half of 60,000 bytes at 1.67 bytes/s: 18,000 s = 5 h.
    expect(tight.lookback).toMatchObject({ complete: true, seconds: 18000, problem: 'lookback shortened to 5 h to fit the bytes-scanned budget' });
  });

  test('lines past the row limit mark their minute as truncated', async () => {
    const rows = Array.from({ length: MAX_QUERY_ROWS }, (_, i) => ({ ...exception(T0, i % 60), logVersion: '41' }));
    const state = await look(EMPTY_LOG_STATE, scripted({ lines: () => ({ status: 'Complete', rows, bytesScanned: 1 }) }), 0);
    expect(state.truncatedMinutes).toEqual([T0]);
  });
});

describe('Monte Carlo (seeded; rates bounded with 3 standard errors; the benchmark runs 500 seeds)', () => {
  const bound = (p: number, n: number) => 3 * Math.sqrt((p * (1 - p)) / n);
  const N = 60;
  test('a new exception on 0.5 % of a 10 % canary is found within 10 minutes in ≥ 95 % of runs', async () => {
    let found = 0;
    for (let seed = 1; seed <= N; seed++) if ((await runLogScenario({ seed, profile: { newExceptionRate: 0.005 } })).failedAtMinute !== undefined) found++;
    expect(found / N).toBeGreaterThanOrEqual(0.95 - bound(0.95, N));
  }, 600_000);

  test('a healthy release with 20 new benign lines fails in ≤ 1 % of runs; ≤ 4 queries per look', async () => {
    let failed = 0;
    let mostQueries = 0;
    for (let seed = 1; seed <= N; seed++) {
      const outcome = await runLogScenario({ seed: 10_000 + seed, profile: { newBenignLines: 20 } });
      if (outcome.failedAtMinute !== undefined) failed++;
      mostQueries = Math.max(mostQueries, outcome.mostQueriesPerLook);
    }
    expect(failed / N).toBeLessThanOrEqual(0.01 + bound(0.01, N));
    expect(mostQueries).toBeLessThanOrEqual(4);
  }, 600_000);
});
