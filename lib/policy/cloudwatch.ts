import { z } from 'zod';

/**
 * CloudWatch statistic syntax (CloudWatch User Guide, "CloudWatch statistics definitions"): the named
 * statistics, percentile-style shorthands (`p99`, `p99.9`, `tm90`, `wm90`, `tc90`, `ts90`), and the
 * range forms `TM|WM|TC|TS(a:b)` (percentages or absolute values, either end optional) and
 * `PR(a:b)` (absolute values only). Anything else is rejected by GetMetricData at run time, so every
 * deployment would fail: it is rejected here instead.
 */
const NAMED_STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum', 'IQM']);
const SHORTHAND = /^(p|tm|wm|tc|ts)(\d+(?:\.\d+)?)$/i;
const RANGE = /^(TM|WM|TC|TS|PR)\(([^:()]*):([^:()]*)\)$/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

type Bound = { value: number; percent: boolean } | undefined;

function parseBound(text: string): Bound | 'invalid' {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const percent = trimmed.endsWith('%');
  const number = percent ? trimmed.slice(0, -1) : trimmed;
  if (!NUMBER.test(number)) return 'invalid';
  return { value: Number(number), percent };
}

/** Why `stat` is not a CloudWatch statistic, or `undefined` when it is one. */
export function statisticProblem(stat: string): string | undefined {
  if (NAMED_STATISTICS.has(stat)) return undefined;
  const expected = 'expected Sum, Average, Minimum, Maximum, SampleCount, IQM, a percentile such as p99 or p99.9, or a range such as TM(10%:90%), TC(800:) or PR(:300)';
  const shorthand = SHORTHAND.exec(stat);
  if (shorthand) {
    const value = Number(shorthand[2]);
    return value >= 0 && value <= 100 ? undefined : `"${stat}": a percentile is between 0 and 100`;
  }
  const range = RANGE.exec(stat);
  if (!range) return `"${stat}" is not a CloudWatch statistic; ${expected}`;
  const kind = range[1].toUpperCase();
  const lower = parseBound(range[2]);
  const upper = parseBound(range[3]);
  if (lower === 'invalid' || upper === 'invalid') return `"${stat}": each end of a range is a number, or a percentage such as 10%`;
  if (!lower && !upper) return `"${stat}": give at least one end of the range`;
  for (const bound of [lower, upper]) {
    if (!bound) continue;
    if (bound.percent && kind === 'PR') return `"${stat}": PR takes values (e.g. PR(:300)), not percentages`;
    if (bound.percent && (bound.value < 0 || bound.value > 100)) return `"${stat}": a percentage is between 0% and 100%`;
  }
  if (lower && upper && lower.percent === upper.percent && lower.value >= upper.value) return `"${stat}": the lower end must be below the upper end`;
  return undefined;
}

export const statisticSchema = z.string().superRefine((stat, ctx) => {
  const problem = statisticProblem(stat);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A dimension name: 1–255 ASCII characters, at least one not whitespace, not starting with `:`
 * (CloudWatch API Reference, `Dimension`).
 */
export const dimensionNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'a dimension name is printable ASCII')
  .regex(/\S/, 'a dimension name needs a non-whitespace character')
  .regex(/^[^:]/, 'a dimension name cannot start with ":"');

/** A dimension value: 1–1024 characters, at least one not whitespace (CloudWatch API Reference, `Dimension`). */
export const dimensionValueSchema = z.string().min(1, 'a dimension value cannot be empty').max(1024).regex(/\S/, 'a dimension value needs a non-whitespace character');

/**
 * Shared dimensions. CloudWatch allows 30 per metric (API Reference, `MetricStat`/`Metric`); the
 * evaluator adds up to three of its own to select a version, so 27 are left.
 */
export const dimensionsSchema = z.record(z.string(), dimensionValueSchema).superRefine((dimensions, ctx) => {
  if (Object.keys(dimensions).length > 27) ctx.addIssue({ code: 'custom', message: 'at most 27 dimensions (CloudWatch allows 30; the evaluator adds the version dimensions)' });
  // Key problems are reported here, with the key as the path: a record key schema says only "Invalid key".
  for (const name of Object.keys(dimensions)) {
    const result = dimensionNameSchema.safeParse(name);
    if (!result.success) ctx.addIssue({ code: 'custom', path: [name], message: `dimension name: ${result.error.issues[0].message}` });
  }
});
