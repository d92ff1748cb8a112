import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ECS_DEPLOYMENT_STRATEGIES, ECS_EVALUATED_STAGES, ECS_HOOK_TIMEOUT, ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES, type EcsEvaluatedStage } from '../../evaluation/ecs-native/contract';
import { metricHeadline, type Verdict } from '../../judge';
import { documentLoaders } from '../../policy/documents';
import { formatIssues } from '../../policy/parse';
import { parsePolicy, type Policy } from '../../policy';
import { DEFAULT_START_TIME, SCENARIOS_DIR, ScenarioError } from '../scenario';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS, type SimulatedEcsAnswer, type SimulatedEcsNativeResult } from './deployment';
import { SimulatedTargetGroupMetrics } from './target-group-metrics';

/**
 * An ECS native deployment scenario (issue 27): ECS itself shifts traffic between the blue and green
 * target groups step by step and calls the evaluator's lifecycle hook at each stage. Run through
 * `simulateEcsNativeDeployment` (the real hook, state machine and report path). Written as a YAML with
 * `kind: ecs-native`; the library lives in `scenarios/ecs-native/`. Field documentation: docs/scenarios.md.
 */
export const ECS_NATIVE_SCENARIO_KIND = 'ecs-native';
/** Where the ECS native scenarios live: a subfolder, so the CodeDeploy library (`scenarios/*.yaml`) stays one kind. */
export const ECS_NATIVE_SCENARIOS_DIR = join(SCENARIOS_DIR, 'ecs-native');

export const ecsNativeScenarioSchema = z
  .strictObject({
    kind: z.literal(ECS_NATIVE_SCENARIO_KIND),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lowercase letters, digits and "-" (at most 64)'),
    description: z.string().default(''),
    /** Seed of the target-group metrics: the same seed gives the same series. */
    seed: z.number().int().min(0).max(0xffffffff),
    startTime: z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)) && Date.parse(text) % 60_000 === 0, 'expected an ISO 8601 date-time on a whole minute, such as "2025-01-06T10:00:00Z"')
      .default(DEFAULT_START_TIME),
    /** The service's `deploymentConfiguration.strategy` and its step percent (LINEAR `stepPercent`, CANARY `canaryPercent`). */
    deployment: z.strictObject({
      strategy: z.enum(ECS_DEPLOYMENT_STRATEGIES),
      /** @default ECS's default for the strategy */
      percent: z.number().gt(0).max(100).optional(),
      /** The stages the hook is registered at. @default POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT */
      stages: z.array(z.enum(ECS_EVALUATED_STAGES)).min(1).optional(),
      /** The hook's `timeoutInMinutes` (as `registerEcsService`'s `hookTimeout`). @default 60 */
      hookTimeoutMinutes: z.number().int().min(ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES).max(ECS_HOOK_TIMEOUT.lambdaPageMaxMinutes).default(ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES),
    }),
    /** Requests per minute at the load balancer, over both target groups (Poisson), split by the listener's weights. */
    traffic: z.strictObject({ requestsPerMinute: z.number().positive() }),
    /** Share of blue's (the running revision's) requests answered 5xx. */
    blue: z.strictObject({ errorRate: z.number().min(0).max(1) }),
    /** Green (the new revision) answers 5xx at blue's rate × `errorFactor` (capped at 1). @default 1 */
    green: z.strictObject({ errorFactor: z.number().nonnegative().default(1) }).default({ errorFactor: 1 }),
    /** Minute m's datapoints become visible at minute m + 1 + metricLagMinutes. @default 2 */
    metricLagMinutes: z.number().int().nonnegative().default(2),
  })
  .superRefine((scenario, ctx) => {
    const stages = scenario.deployment.stages ?? [];
    const duplicate = stages.find((stage, index) => stages.indexOf(stage) !== index);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['deployment', 'stages'], message: `stage ${duplicate} is listed twice` });
    if (scenario.deployment.strategy === 'BLUE_GREEN' && scenario.deployment.percent !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['deployment', 'percent'], message: 'BLUE_GREEN shifts all traffic at once: remove `percent` (it is for LINEAR and CANARY)' });
    }
  });

export type EcsNativeScenario = z.output<typeof ecsNativeScenarioSchema>;

/** Whether a parsed document declares itself an ECS native scenario (`kind: ecs-native`). */
export function isEcsNativeScenarioDocument(document: unknown): boolean {
  return typeof document === 'object' && document !== null && (document as { kind?: unknown }).kind === ECS_NATIVE_SCENARIO_KIND;
}

export function parseEcsNativeScenario(input: unknown, source?: string): EcsNativeScenario {
  const result = ecsNativeScenarioSchema.safeParse(input);
  if (!result.success) throw new ScenarioError(formatIssues(result.error), source);
  return result.data;
}

const loaders = documentLoaders(parseEcsNativeScenario, (issues, source) => new ScenarioError(issues, source));
export const parseEcsNativeScenarioText = loaders.parseText;
export const loadEcsNativeScenarioFile = loaders.loadFile;

/** The names of the ECS native library (`scenarios/ecs-native/*.yaml`), sorted. */
export function ecsNativeScenarioNames(folder = ECS_NATIVE_SCENARIOS_DIR): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => file.replace(/\.ya?ml$/, ''))
    .sort();
}

/** The library file of an ECS native scenario name, or undefined when the library has no such name. */
export function ecsNativeScenarioPath(name: string, folder = ECS_NATIVE_SCENARIOS_DIR): string | undefined {
  const path = join(folder, `${name}.yaml`);
  return existsSync(path) ? path : undefined;
}

/**
 * The policy an ECS native scenario is judged with: the `alb-5xx-rate` preset (target-group 5xx per
 * request, green against blue over the same periods) with its defaults, the bake shortened to 10 minutes
 * so a healthy run stays short. One place, as `scenarioPolicy` is for the CodeDeploy scenarios.
 */
export function ecsNativeScenarioPolicy(): Policy {
  return parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], bake: { duration: '10m' } });
}

/** One ECS native scenario's run: what ECS was answered, when, and the decision. */
export interface EcsNativeScenarioRun {
  readonly scenario: { readonly name: string; readonly description: string; readonly seed: number; readonly source: string };
  readonly startTime: string;
  readonly strategy: EcsNativeScenario['deployment']['strategy'];
  readonly hookTimeoutMinutes: number;
  readonly result: SimulatedEcsNativeResult;
  /** The stage and step whose FAILED answer rolled the deployment back, with the minute from the start. */
  readonly failedAt?: { readonly stage: EcsEvaluatedStage; readonly weight: number; readonly minute: number; readonly reason?: string };
  /** Executions that did not succeed (a broken simulation, not a verdict). */
  readonly brokenExecutions: readonly string[];
}

export async function runEcsNativeScenario(
  scenario: EcsNativeScenario,
  options: { readonly definition: Record<string, unknown>; readonly source: string; readonly policy?: Policy },
): Promise<EcsNativeScenarioRun> {
  const start = new Date(scenario.startTime);
  const greenErrorRate = Math.min(1, scenario.blue.errorRate * scenario.green.errorFactor);
  const result = await simulateEcsNativeDeployment(options.definition, {
    policy: options.policy ?? ecsNativeScenarioPolicy(),
    start,
    strategy: scenario.deployment.strategy,
    ...(scenario.deployment.percent !== undefined ? { percent: scenario.deployment.percent } : {}),
    ...(scenario.deployment.stages ? { stages: scenario.deployment.stages } : {}),
    hookTimeoutMinutes: scenario.deployment.hookTimeoutMinutes,
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics(
        {
          ...SIMULATED_TARGET_GROUPS,
          requestsPerMinute: scenario.traffic.requestsPerMinute,
          greenBehaviour: { errorRate: greenErrorRate },
          blueBehaviour: { errorRate: scenario.blue.errorRate },
          greenWeightAt,
          metricLagMinutes: scenario.metricLagMinutes,
          seed: scenario.seed,
        },
        now,
      ),
  });
  const failed = result.answers.find((answer) => answer.response.hookStatus === 'FAILED' && !answer.rollback);
  // The evaluation behind the FAILED answer: its id ends with the stage (and `_w<weight>` for a step).
  const failedId = failed ? `_${failed.stage}${failed.stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `_w${failed.weight}` : ''}` : undefined;
  const failedEvent = failedId ? result.verdictEvents.find((event) => event.deploymentId.endsWith(failedId)) : undefined;
  // In the words every view prints (the failing metric's headline), else the event's reason.
  const failingMetric = (failedEvent?.verdict as Verdict | undefined)?.metrics?.find((metric) => metric.decision === 'fail');
  const reason = failingMetric ? metricHeadline(failingMetric) : failedEvent?.reason;
  return {
    scenario: { name: scenario.name, description: scenario.description, seed: scenario.seed, source: options.source },
    startTime: scenario.startTime,
    strategy: scenario.deployment.strategy,
    hookTimeoutMinutes: scenario.deployment.hookTimeoutMinutes,
    result,
    ...(failed ? { failedAt: { stage: failed.stage, weight: failed.weight, minute: minutesFrom(start, failed.at), ...(reason ? { reason } : {}) } } : {}),
    brokenExecutions: result.executions.filter((execution) => execution.run.status !== 'SUCCEEDED').map((execution) => `${execution.input.deploymentId}: ${execution.run.status}`),
  };
}

const minutesFrom = (start: Date, at: Date) => Math.round(((at.getTime() - start.getTime()) / 60_000) * 10) / 10;

/** `PRODUCTION_TRAFFIC_SHIFT at the 10 % step`, `POST_PRODUCTION_TRAFFIC_SHIFT`. */
function stageAndStep(stage: EcsEvaluatedStage, weight: number): string {
  return stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `${stage} at the ${weight} % step` : stage;
}

/** The one-line outcome, as the summary shows it. */
export function ecsNativeOutcomeSummary(run: EcsNativeScenarioRun): string {
  if (run.failedAt) return `ECS rolled back at minute ${run.failedAt.minute}: ${stageAndStep(run.failedAt.stage, run.failedAt.weight)} answered FAILED`;
  return `deployed: ${run.result.answers.length} hook answers, all SUCCEEDED`;
}

function answerLine(start: Date, answer: SimulatedEcsAnswer): string {
  const what = answer.rollback ? `${answer.stage} (rollback re-invocation, green 0 %)` : stageAndStep(answer.stage, answer.weight);
  return `  minute ${String(minutesFrom(start, answer.at)).padStart(5)}  ${what}: ${answer.response.hookStatus}`;
}

/** The text report of one ECS native scenario. */
export function renderEcsNativeScenarioText(run: EcsNativeScenarioRun): string {
  const start = new Date(run.startTime);
  return [
    `━━ ${run.scenario.name} (ECS native ${run.strategy}, ${run.scenario.source}) ━━`,
    ...(run.scenario.description ? [run.scenario.description] : []),
    `Hook timeout ${run.hookTimeoutMinutes} min; ${run.result.executions.length} evaluations, ${run.result.verdictEvents.length} verdict events; ${run.result.inProgress} IN_PROGRESS answers while they ran.`,
    'What ECS was answered (minutes from the deployment start):',
    ...run.result.answers.map((answer) => answerLine(start, answer)),
    `Outcome: ${ecsNativeOutcomeSummary(run)}.`,
    ...(run.failedAt?.reason ? [`Why: ${run.failedAt.reason}`] : []),
  ].join('\n');
}
