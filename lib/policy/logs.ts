import { z } from 'zod';

/**
 * Logs as signals (issue 26): error lines per request and new error signatures of the new version,
 * read from CloudWatch Logs with Logs Insights queries. The types below are what the evaluation reads
 * (lib/evaluation/logs); the schema validates what a policy writes.
 */

/**
 * A log group name as CloudWatch Logs accepts it: 1–512 of `A-Za-z0-9 _ - / . #` (CloudWatch Logs API
 * Reference, CreateLogGroup, logGroupName pattern `[\.\-_/#A-Za-z0-9]+`).
 */
const logGroupNameSchema = z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'expected a log group name: 1-512 of letters, digits, "_", "-", "/", "." or "#"');

/**
 * A field of a JSON log line as Logs Insights names it (nested fields joined by dots, e.g.
 * `service.version`, `level`): letters, digits, `_`, `.`, `@`, `-`, so it can be written in a query
 * without quoting (CloudWatch Logs User Guide, "Supported logs and discovered fields": JSON fields are
 * flattened with dots).
 */
const fieldNameSchema = z.string().regex(/^[A-Za-z_@][A-Za-z0-9_.@-]{0,127}$/, 'expected a field name such as "level" or "service.version" (letters, digits, "_", ".", "@", "-")');

/** A literal value compared in a query: printable, without the quote and backslash a query string would need escaped. */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const literalSchema = z.string().regex(/^[^"\\\u0000-\u001f]{1,64}$/, 'expected 1-64 printable characters without `"` or `\\`');

/** A regular expression for Logs Insights' `like /…/`: valid, without a `/` that would end it early. */
const insightsRegexSchema = z
  .string()
  .min(1)
  .max(256)
  .superRefine((pattern, ctx) => {
    if (/(^|[^\\])\//.test(pattern)) ctx.addIssue({ code: 'custom', message: 'escape "/" as "\\/": the pattern is written between slashes in the query' });
    try {
      new RegExp(pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });

/**
 * Which lines are error lines.
 * - `json-level`: JSON logs whose level field has one of the values (Lambda's JSON log format writes
 *   `level`: TRACE…FATAL; Lambda Developer Guide, "Configuring advanced logging controls").
 * - `pattern`: lines whose message matches a regular expression (plain-text logs, e.g. `\tERROR\t`).
 */
export const errorFilterSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('json-level'),
    /** @default level */
    field: fieldNameSchema.default('level'),
    /** @default ['ERROR', 'FATAL'] */
    values: z.array(literalSchema).min(1).max(10).default(['ERROR', 'FATAL']),
  }),
  z.strictObject({ type: z.literal('pattern'), pattern: insightsRegexSchema }),
]);
export type ErrorFilter = z.output<typeof errorFilterSchema>;

/**
 * How a line's version is told.
 * - `lambda-stream`: Lambda names each log stream `YYYY/MM/DD/[<version>]<id>` (Lambda Developer
 *   Guide, "Sending Lambda function logs to CloudWatch Logs": log stream format), so the version is
 *   the bracketed part.
 * - `json-field`: a field of JSON logs carries the version (e.g. `service.version`, OpenTelemetry's
 *   resource attribute); its values are the deployment's version ids, as for `dimension` versioning.
 */
export const logVersioningSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('lambda-stream') }),
  z.strictObject({ type: z.literal('json-field'), field: fieldNameSchema }),
]);
export type LogVersioning = z.output<typeof logVersioningSchema>;

const LOOKBACK_PATTERN = /^(\d+)(m|h)$/;
/** Longest lookback: a week of the current version's lines (its cost is billed per GB scanned). */
export const MAX_LOOKBACK_SECONDS = 7 * 24 * 3600;

const lookbackSchema = z
  .string()
  .regex(LOOKBACK_PATTERN, 'expected a duration in minutes or hours, such as "24h" or "90m"')
  .transform((value, ctx) => {
    const [, amount, unit] = LOOKBACK_PATTERN.exec(value)!;
    const seconds = Number(amount) * (unit === 'h' ? 3600 : 60);
    if (!(seconds > 0) || seconds > MAX_LOOKBACK_SECONDS) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not within 1m–168h` });
      return z.NEVER;
    }
    return seconds;
  });

import { BYTES_PER_GB } from './logs-units';

export { BYTES_PER_GB };

/** Default budget of bytes scanned per evaluation: 10 GB ($0.05 at $0.005 per GB, us-east-1). */
export const DEFAULT_BYTES_SCANNED_BUDGET = 10 * BYTES_PER_GB;

/** How many log groups one StartQuery may name (CloudWatch Logs API Reference, StartQuery: logGroupNames, up to 50). */
export const MAX_LOG_GROUPS = 50;

export const logsSignalSchema = z.strictObject({
  /** Log groups of the deployed function or service (StartQuery takes up to 50). */
  logGroups: z.array(logGroupNameSchema).min(1).max(MAX_LOG_GROUPS),
  errorFilter: errorFilterSchema,
  versioning: logVersioningSchema,
  /**
   * Name of a count metric of this policy whose `total` is the requests of each version: error lines
   * and signatures are judged per request against it, minute by minute.
   */
  requestsFrom: z.string().min(1),
  /** A failing log check fails the whole evaluation. @default true */
  critical: z.boolean().default(true),
  /** Judge error lines per request (canary vs baseline) with the sequential count test. @default true */
  errorRate: z.boolean().default(true),
  newSignatures: z
    .strictObject({
      /** How far back the current version's lines are read for signatures it has shown. @default 24h */
      lookback: lookbackSchema.default(24 * 3600),
      /**
       * New signatures judged at most (the first ones seen); the level is split among them, so each is
       * tested at α / maxSignatures. @default 10
       */
      maxSignatures: z.number().int().min(1).max(50).default(10),
    })
    .default({ lookback: 24 * 3600, maxSignatures: 10 }),
  /**
   * Bytes Logs Insights may scan for one evaluation, all queries together; a query that would pass it is
   * stopped, and what needs it is left undecided. @default 10 GB (10_000_000_000)
   */
  bytesScannedBudget: z.number().int().positive().default(DEFAULT_BYTES_SCANNED_BUDGET),
});
export type LogsSignal = z.output<typeof logsSignalSchema>;
