/** The sequential count test (rate-test.ts) and the count method built on it (method.ts). */
export { sequentialRateTest } from './rate-test';
export { E_CAP, type RatePeriod, type RateTestOptions, type RateTestResult } from './types';
export { GRID as THETA_GRID } from './grid';
export { harmPriorDensity } from './priors';
export { judgeSequential } from './method';
