/**
 * The Logs Insights queries of the log signal, as strings, and how their result rows are read.
 * Syntax: CloudWatch Logs User Guide, "CloudWatch Logs Insights language query syntax"
 * (CWL_QuerySyntax): `fields`, `filter` (with `like /regex/`, `in [...]`, `and`/`or`), `parse` with a
 * regular expression and named capture groups, `stats count(*) by bin(1m)`, `sort`, `limit`, and
 * `pattern` (CWL_QuerySyntax-Pattern: clusters lines; its result rows carry `@pattern`, whose
 * dynamic tokens show as `<*>` or `<Token-n>`).
 */
import type { ErrorFilter, LogVersioning } from '../../policy/logs';

/** Most rows a query returns (StartQuery `limit`: up to 10,000; CloudWatch Logs API Reference, StartQuery). */
export const MAX_QUERY_ROWS = 10_000;

/** The field each query leaves the line's version in. */
export const VERSION_FIELD = 'logVersion';

/** A query result row, as GetQueryResults returns it: a list of field/value pairs, read into an object. */
export type QueryRow = Readonly<Record<string, string>>;

const quoted = (value: string) => `"${value}"`;

function errorCondition(filter: ErrorFilter): string {
  return filter.type === 'json-level' ? `${filter.field} in [${filter.values.map(quoted).join(', ')}]` : `@message like /${filter.pattern}/`;
}

/** The command that puts the line's version in `logVersion`. */
function versionCommand(versioning: LogVersioning): string {
  // Lambda's stream name `YYYY/MM/DD/[<version>]<id>`: the bracketed part.
  return versioning.type === 'lambda-stream' ? `parse @logStream /\\[(?<${VERSION_FIELD}>[^\\]]+)\\]/` : `fields ${versioning.field} as ${VERSION_FIELD}`;
}

function versionCondition(versions: readonly string[]): string {
  return `${VERSION_FIELD} in [${versions.map(quoted).join(', ')}]`;
}

export interface ArmVersions {
  readonly canary: string;
  readonly baseline: string;
}

/** Error lines per minute and version (exact, whatever the number of lines). */
export function errorCountsQuery(filter: ErrorFilter, versioning: LogVersioning, versions: ArmVersions): string {
  return [
    versionCommand(versioning),
    `filter ${errorCondition(filter)} and ${versionCondition([versions.canary, versions.baseline])}`,
    `stats count(*) as errors by bin(1m) as minute, ${VERSION_FIELD}`,
  ].join('\n| ');
}

/** The error lines themselves (up to MAX_QUERY_ROWS, oldest first), for their signatures and samples. */
export function errorLinesQuery(filter: ErrorFilter, versioning: LogVersioning, versions: ArmVersions): string {
  return [
    versionCommand(versioning),
    `filter ${errorCondition(filter)} and ${versionCondition([versions.canary, versions.baseline])}`,
    `fields @timestamp, @message, ${VERSION_FIELD}`,
    'sort @timestamp asc',
    `limit ${MAX_QUERY_ROWS}`,
  ].join('\n| ');
}

/** The current version's error patterns over the lookback (Logs Insights clusters them server-side). */
export function baselinePatternsQuery(filter: ErrorFilter, versioning: LogVersioning, baselineVersion: string): string {
  return [versionCommand(versioning), `filter ${errorCondition(filter)} and ${versionCondition([baselineVersion])}`, 'pattern @message'].join('\n| ');
}

/** `bin(1m)` values are written `YYYY-MM-DD HH:MM:SS.000` in UTC: the minute's start in epoch seconds. */
export function minuteOf(value: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$/.exec(value.trim());
  if (!match) return undefined;
  const millis = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isFinite(millis) ? Math.floor(millis / 60_000) * 60 : undefined;
}
