export * from './canary-evaluator';
export * from './evaluation-definition';
export * from './report-bucket';
