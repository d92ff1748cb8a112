export * from './canary-evaluator';
export * from './evaluation-definition';
