export * from './observations';
export * from './verdict';
export { judge, alphaOf, type JudgeOptions } from './judge';
export { validateObservations, ObservationError } from './validate';
export { mannWhitney, minimumSamplesFor, smallestOneSidedPValue, type Alternative, type MannWhitneyOptions, type MannWhitneyResult } from './mann-whitney';
export { sequentialRateTest, E_CAP, type RatePeriod, type RateTestOptions, type RateTestResult } from './sequential';
export type { TokenPrices, ResolvedPrices } from '../policy/prices/types';
export { costOf } from './cost';
export { formatNumber, formatPercent } from './format';
