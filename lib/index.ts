/**
 * canary-evaluator's public API: the policy, the judge, and the CDK construct.
 * The pure parts (policy, judge) import nothing from AWS.
 */
export { parsePolicy, parsePolicyText, loadPolicyFile, PolicyError, type Policy, type PolicyInput, type MetricDefinition } from './policy';
/** The whole validation (`canary-eval validate` and synth): the schema, the evaluator's limits, and a policy that can fail. */
export { validatePolicy, checkPolicy, loadValidatedPolicyFile } from './evaluation/policy-check';
export { judge, mannWhitney, validateObservations, type Observations, type Verdict, type MetricResult, type JudgeOptions } from './judge';
export {
  CanaryEvaluator,
  ECS_LIFECYCLE_EVENTS,
  evaluatorParameterNames,
  type CanaryEvaluatorProps,
  type CanaryEvaluatorAttributes,
  type ICanaryEvaluator,
  type DeploymentGroupRegistrationOptions,
  type LambdaDeploymentGroupRegistration,
  type EcsDeploymentGroupRegistration,
  type RegisteredDeploymentGroup,
  type RegisteredLambdaDeploymentGroup,
  type RegisteredEcsDeploymentGroup,
  type RegistrationOptions,
  type EcsServiceRegistration,
  type RegisteredEcsService,
  type ExtendedEvaluation,
} from './constructs';
export type { EcsTargets } from './constructs/ecs-targets';
export { EvaluatorNotifications, type NotificationOptions, type SlackChannel, type TeamsChannel } from './constructs/notifications';
export { ReportBucket } from './constructs/report-bucket';
export { PostDeployChecks, COVERAGE_FINDINGS, type PostDeployChecksOptions } from './constructs/coverage/post-deploy-checks';
export { BedrockSpendGuard, BEDROCK_TOKEN_METRICS, type BedrockSpendGuardProps } from './constructs/bedrock-spend-guard';
