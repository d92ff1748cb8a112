export * from './observations';
export * from './verdict';
export { judge, type JudgeOptions } from './judge';
export { formatNumber, formatPercent } from './format';
