export * from './canary-evaluator';
export * from './evaluation-definition';
export * from './bedrock-spend-guard';
export * from './report-bucket';
export * from './notifications';
export { PostDeployChecks, COVERAGE_FINDINGS, type PostDeployChecksOptions } from './coverage/post-deploy-checks';
