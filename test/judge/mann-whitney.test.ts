import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mannWhitney, type Alternative } from '../../lib/judge/mann-whitney';

type End = number | 'Inf' | '-Inf';
interface RResult {
  readonly W?: number;
  readonly p_value?: number;
  readonly conf_int?: [End, End];
  readonly estimate?: number;
  readonly error?: string;
}
interface RCase {
  readonly id: string;
  readonly kind: string;
  readonly control: number[];
  readonly experiment: number[];
  readonly confidence_level: number;
  readonly two_sided: RResult;
  readonly greater: RResult;
  readonly less: RResult;
}

const reference = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'mann-whitney-r.json'), 'utf8')) as { cases: RCase[] };
const ALTERNATIVES: Array<[keyof Pick<RCase, 'two_sided' | 'greater' | 'less'>, Alternative]> = [
  ['two_sided', 'two.sided'],
  ['greater', 'greater'],
  ['less', 'less'],
];
const endOf = (end: End) => (end === 'Inf' ? Infinity : end === '-Inf' ? -Infinity : end);

function expectClose(actual: number, expected: number, relative: number) {
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  // Relative; an exact zero (R estimate 0) must come out as (nearly) zero.
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(Math.abs(expected), 1e-12));
}

const rows = reference.cases.flatMap((rCase) =>
  ALTERNATIVES.filter(([key]) => rCase[key].error === undefined).map(([key, alternative]) => [rCase.id, alternative, rCase, rCase[key]] as const),
);

describe('mannWhitney matches R wilcox.test(exact = FALSE, correct = TRUE, conf.int = TRUE)', () => {
  test('the reference file holds the expected cases', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(48);
    expect(rows.length).toBe(reference.cases.length * 3 - 3);
  });

  test.each(rows)('%s %s', (_id, alternative, rCase, expected) => {
    const result = mannWhitney(rCase.control, rCase.experiment, { alternative, confidenceLevel: rCase.confidence_level });
    expect(result.w).toBe(expected.W);
    expectClose(result.pValue, expected.p_value!, 1e-9);
    expectClose(result.estimate, expected.estimate!, 1e-6);
    expectClose(result.confidenceInterval[0], endOf(expected.conf_int![0]), 1e-6);
    expectClose(result.confidenceInterval[1], endOf(expected.conf_int![1]), 1e-6);
  });

  test('R errors on two constant samples; we answer the common difference, documented', () => {
    const rCase = reference.cases.find((c) => c.id.endsWith('edge-constant-different'))!;
    expect(rCase.two_sided.error).toBeDefined();
    const twoSided = mannWhitney(rCase.control, rCase.experiment, { confidenceLevel: 0.98 });
    expect(twoSided).toMatchObject({ w: 100, estimate: 1, confidenceInterval: [1, 1] });
    expect(twoSided.pValue).toBeLessThan(1e-4);
    expect(mannWhitney(rCase.control, rCase.experiment, { alternative: 'greater' }).confidenceInterval).toEqual([1, Infinity]);
    expect(mannWhitney(rCase.control, rCase.experiment, { alternative: 'less' }).confidenceInterval).toEqual([-Infinity, 1]);
  });

  test('fails on an empty sample or a non-finite value, naming it', () => {
    expect(() => mannWhitney([], [1])).toThrow('at least one value per sample');
    expect(() => mannWhitney([1, NaN], [1])).toThrow('control[1] is NaN');
  });
});
