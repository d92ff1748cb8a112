/** Logs as signals (issue 26): Logs Insights queries per look, error lines per request, new error signatures. */
export { signatureOf, normaliseText, matchesPattern, MAX_SIGNATURE_LENGTH } from './signature';
export { sampleLine, maskSecretShapes, MAX_SAMPLE_LENGTH } from './samples';
export { errorCountsQuery, errorLinesQuery, baselinePatternsQuery, minuteOf, MAX_QUERY_ROWS, VERSION_FIELD, type ArmVersions, type QueryRow } from './insights-queries';
export type { LogsQueryRequest, LogsQueryOutcome, LogsQueryStatus, LogsQueryRunner } from './ports';
export { lookAtLogs, EMPTY_LOG_STATE, SAMPLES_PER_SIGNATURE, type LogSignalState, type SignatureRecord, type LookInput, type ArmCounts } from './log-look';
export { judgeLogs, USD_PER_GB_SCANNED, type LogSignalResult, type NewSignatureResult, type RequestsPerArm, type JudgeLogsOptions, type LogDecision } from './judge-logs';
export { parseCarriedLogState, boundedLogState, MAX_CARRIED_LOG_STATE_BYTES } from './carried-state';
