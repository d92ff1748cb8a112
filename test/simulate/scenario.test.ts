import { basename } from 'node:path';
import {
  DEFAULT_START_TIME,
  ScenarioError,
  canaryShareAt,
  listScenarioFiles,
  loadScenarioFile,
  parseScenario,
  parseScenarioText,
} from '../../lib/simulate';

const minimal = {
  name: 'minimal',
  seed: 7,
  durationMinutes: 30,
  traffic: { requestsPerMinute: 100 },
  baseline: { errorRate: 0.01, latency: { medianMs: 100, p99Ms: 500 } },
};

function issuesOf(input: unknown): readonly string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('the scenario library', () => {
  const files = listScenarioFiles();

  test('holds the documented scenarios', () => {
    expect(files.map((file) => basename(file))).toEqual(
      expect.arrayContaining(['healthy.yaml', 'error-regression.yaml', 'latency-regression.yaml', 'cost-regression.yaml', 'low-traffic.yaml', 'bursty-healthy.yaml']),
    );
  });

  test.each(files.map((file) => [basename(file), file]))('%s validates and is named after its file', (name, file) => {
    const scenario = loadScenarioFile(file);
    expect(`${scenario.name}.yaml`).toBe(name);
    expect(scenario.durationMinutes).toBe(30);
    expect(scenario.schedule).toEqual({ type: 'canary', percent: 10, minutes: 15 });
  });
});

describe('parseScenario', () => {
  test('applies defaults', () => {
    const scenario = parseScenario(minimal);
    expect(scenario).toMatchObject({
      description: '',
      startTime: DEFAULT_START_TIME,
      target: { functionName: 'simulated-function', alias: 'live', applicationNamespace: 'SimulatedApp' },
      schedule: { type: 'canary', percent: 10, minutes: 15 },
      regressions: [],
      burstiness: { overdispersion: 0, overdispersionScope: 'shared', incidents: [] },
      metricLagMinutes: 2,
      slowThresholdMs: 1000,
      baseline: { tokens: { input: 1000, output: 300, cacheRead: 0, cacheWrite: 0, cv: 1 } },
    });
  });

  test.each([
    ['a wrong type', { ...minimal, regressions: [{ metric: 'errors', factor: 3, fromMinute: 'zero' }] }, 'regressions[0].fromMinute: Invalid input: expected number, received string'],
    ['a missing field', { ...minimal, traffic: {} }, 'traffic.requestsPerMinute: Invalid input: expected number'],
    ['an unknown schedule type', { ...minimal, schedule: { type: 'blue-green' } }, "schedule.type: Invalid discriminator value. Expected 'canary' | 'linear' | 'all-at-once'"],
    ['a canary percent of 100', { ...minimal, schedule: { type: 'canary', percent: 100, minutes: 5 } }, 'schedule.percent: Too big'],
    ['an unknown field', { ...minimal, sede: 3 }, '(top level): Unrecognized key: "sede"'],
    ['an unknown field in a regression', { ...minimal, regressions: [{ metric: 'errors', factor: 2, fromMinute: 0, until: 4 }] }, 'regressions[0]: Unrecognized key: "until"'],
    ['an unknown regression metric', { ...minimal, regressions: [{ metric: 'memory', factor: 2, fromMinute: 0 }] }, "regressions[0].metric: Invalid discriminator value. Expected 'errors' | 'latency' | 'tokens'"],
    ['a latency regression that changes nothing', { ...minimal, regressions: [{ metric: 'latency', fromMinute: 0 }] }, 'regressions[0]: a latency regression needs `factor`, `addedMs` or `p99AddedMs`'],
    ['a p99 below the median', { ...minimal, baseline: { errorRate: 0.01, latency: { medianMs: 500, p99Ms: 100 } } }, 'baseline.latency.p99Ms: latency.p99Ms must be greater than latency.medianMs'],
    ['an error rate above 1', { ...minimal, baseline: { ...minimal.baseline, errorRate: 2 } }, 'baseline.errorRate: Too big'],
    ['a start time off the minute', { ...minimal, startTime: '2025-01-06T10:00:30Z' }, 'startTime: expected a whole minute'],
    ['a start time that is no date', { ...minimal, startTime: 'monday' }, 'startTime: expected an ISO 8601 date-time'],
    ['a regression after the end', { ...minimal, regressions: [{ metric: 'errors', factor: 2, fromMinute: 30 }] }, 'regressions[0].fromMinute: fromMinute 30 is not before the end of the scenario (durationMinutes 30)'],
    ['an empty regression window', { ...minimal, regressions: [{ metric: 'errors', factor: 2, fromMinute: 5, untilMinute: 5 }] }, 'regressions[0].untilMinute: untilMinute 5 must be after fromMinute 5'],
    ['an incident after the end', { ...minimal, burstiness: { incidents: [{ fromMinute: 40, minutes: 2 }] } }, 'burstiness.incidents[0].fromMinute: fromMinute 40 is not before'],
    ['a bad name', { ...minimal, name: 'My Scenario' }, 'name: expected lowercase letters'],
    ['an unknown token type', { ...minimal, regressions: [{ metric: 'tokens', factor: 2, tokenTypes: ['reasoning'], fromMinute: 0 }] }, 'regressions[0].tokenTypes[0]: Invalid option'],
    ['an agent that publishes nothing', { ...minimal, baseline: { ...minimal.baseline, agent: { sigma: 0.5 } } }, 'baseline.agent: an agent publishes `reasoningTokensPerTurn`, `filesReadBeforeEdit` or both'],
    [
      'a files-read regression without files read',
      { ...minimal, baseline: { ...minimal.baseline, agent: { reasoningTokensPerTurn: 800 } }, regressions: [{ metric: 'files-read', factor: 0.5, fromMinute: 0 }] },
      'regressions[0].metric: a files-read regression needs `baseline.agent.filesReadBeforeEdit`',
    ],
    [
      'a reasoning regression without reasoning tokens',
      { ...minimal, baseline: { ...minimal.baseline, agent: { filesReadBeforeEdit: 4 } }, regressions: [{ metric: 'reasoning', factor: 0.5, fromMinute: 0 }] },
      'regressions[0].metric: a reasoning regression needs `baseline.agent.reasoningTokensPerTurn`',
    ],
  ])('fails on %s with a path-named error', (_case, input, expected) => {
    const issues = issuesOf(input);
    expect(issues).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
    expect(issues.find((issue) => issue.includes(expected))!.startsWith(expected)).toBe(true);
  });

  test('names the source file on every line of the message', () => {
    const text = 'name: x\nseed: 1\ndurationMinutes: 30\ntraffic: { requestsPerMinute: 10 }\nbaseline: { errorRate: 0.01, latency: { medianMs: 1, p99Ms: 2 } }\nregressions:\n  - { metric: errors, factor: 2, fromMinute: soon }\n';
    expect(() => parseScenarioText(text, 'scenarios/x.yaml')).toThrow(/scenarios\/x\.yaml: regressions\[0\]\.fromMinute: Invalid input: expected number/);
  });

  test('fails on broken YAML and on a missing file', () => {
    expect(() => parseScenarioText('name: [', 'broken.yaml')).toThrow(/broken\.yaml: not valid YAML/);
    expect(() => loadScenarioFile('/nonexistent/scenario.yaml')).toThrow(/scenario\.yaml: not found/);
  });
});

describe('canaryShareAt', () => {
  test('canary: percent for the window, then everything', () => {
    const schedule = { type: 'canary', percent: 10, minutes: 15 } as const;
    expect([0, 14, 15, 29].map((minute) => canaryShareAt(schedule, minute))).toEqual([0.1, 0.1, 1, 1]);
  });

  test('linear: starts at percent and adds percent every interval', () => {
    const schedule = { type: 'linear', percent: 10, everyMinutes: 3 } as const;
    expect([0, 2, 3, 26, 27, 40].map((minute) => canaryShareAt(schedule, minute))).toEqual([0.1, 0.1, 0.2, 0.9, 1, 1]);
  });

  test('all-at-once: everything from minute 0', () => {
    expect(canaryShareAt({ type: 'all-at-once' }, 0)).toBe(1);
  });
});
