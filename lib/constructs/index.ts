export * from './canary-evaluator';
export * from './evaluation-definition';
export * from './bedrock-spend-guard';
export * from './report-bucket';
export * from './notifications';
