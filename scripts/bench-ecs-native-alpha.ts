/**
 * `npx tsx scripts/bench-ecs-native-alpha.ts [--runs N] [--seed S] [--alpha A] [--step P] [--dispersion poisson|estimate] [--judge]`: the false-rollback
 * rate of a healthy ECS native LINEAR deployment (issue 27), green = blue (A/A), 3,000 req/min, 1 % 5xx on
 * both, through the real hook, state machine and report path (`simulateEcsNativeDeployment`): LINEAR P %
 * (default 10: 10 production steps, each judged, then the bake).
 * - before: each step spends the watch's whole share (α/2), as before the budget was split
 *   (`productionSteps: 1` makes a step's share α/2 / 1, exactly the old rule);
 * - after: the deployment's budget (`ecsNativeAlphaShare`): α/2 shared by the 10 steps, α/2 for the bake.
 * Both on the same seeds. Prints runs, rate ± standard error for each, and their ratio.
 *
 * `--judge`: the production steps only, at the judge alone (`healthyStepsRolledBackAt`, as the CI test
 * test/evaluation/ecs-native/alpha-monte-carlo.test.ts): thousands of runs in minutes; the steps' budget
 * is then α/2 (the bake, its other half, is not in it).
 *
 * `--dispersion poisson` (default here): the counts of this world are Poisson, so the Poisson test is
 * valid and its false-fail rate comes near its α: the sharp case for a budget. The default
 * `dispersion: estimate` is far below α in this world (its prior on overdispersion; docs/judge.md), so
 * neither rule shows false rollbacks at a size that runs here (judge alone, steps only, α = 0.2,
 * 50 runs: 0 before and after).
 */
import { synthesizeEvaluationDefinition } from '../lib/simulate/definition';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS } from '../lib/simulate/ecs-native/deployment';
import { SimulatedTargetGroupMetrics } from '../lib/simulate/ecs-native/target-group-metrics';
import { albFiveXxPolicy } from '../lib/simulate/ecs-native/alb-5xx-policy';
import { healthyStepsRolledBackAt } from '../lib/simulate/ecs-native/steps-monte-carlo';
import { ecsNativeAlphaShare, judgedProductionSteps } from '../lib/evaluation/ecs-native/alpha';
import { productionStepWeights } from '../lib/evaluation/ecs-native/contract';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const RUNS = option('--runs', 100);
const SEED = option('--seed', 1);
const ALPHA = option('--alpha', 0.01);
const STEP = option('--step', 10);
const DISPERSION = args.includes('--dispersion') ? (args[args.indexOf('--dispersion') + 1] as 'poisson' | 'estimate') : 'poisson';
if (DISPERSION !== 'poisson' && DISPERSION !== 'estimate') throw new Error(`--dispersion: expected poisson or estimate, got ${DISPERSION}`);
const START = new Date('2026-12-07T10:00:00Z');

// The detection benchmark's judge (scripts/bench-ecs-native.ts, `tuned`) at the α and dispersion asked for.
const policy = albFiveXxPolicy({ alpha: ALPHA, dispersion: DISPERSION });

/** One healthy LINEAR deployment: which stage rolled it back, if any. */
async function aa(definition: Record<string, unknown>, seed: number, productionSteps?: number): Promise<string | undefined> {
  const result = await simulateEcsNativeDeployment(definition, {
    policy,
    start: START,
    strategy: 'LINEAR',
    percent: STEP,
    stages: ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'],
    ...(productionSteps !== undefined ? { productionSteps } : {}),
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics(
        { ...SIMULATED_TARGET_GROUPS, requestsPerMinute: 3000, greenBehaviour: { errorRate: 0.01 }, blueBehaviour: { errorRate: 0.01 }, greenWeightAt, metricLagMinutes: 2, seed },
        now,
      ),
  });
  const failed = result.answers.find((answer) => answer.response.hookStatus === 'FAILED' && !answer.rollback);
  return failed ? `${failed.stage}@${failed.weight}` : undefined;
}

/** The judge-only model of the steps (`--judge`): the step's weight that rolled it back, if any. */
function aaSteps(seed: number, split: boolean): string | undefined {
  const steps = judgedProductionSteps(['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'], 'LINEAR', STEP);
  const share = split ? ecsNativeAlphaShare('step', { bakeJudged: true, productionSteps: steps }) : 0.5;
  const weight = healthyStepsRolledBackAt(seed, { policy, metric: 'alb-5xx', weights: productionStepWeights('LINEAR', STEP), alphaShareOf: () => share });
  return weight === undefined ? undefined : `step@${weight}`;
}

async function main(): Promise<void> {
  const judgeOnly = args.includes('--judge');
  const definition = judgeOnly ? {} : synthesizeEvaluationDefinition();
  const started = performance.now();
  let before = 0;
  let after = 0;
  const where = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    const seed = SEED + run;
    const old = judgeOnly ? aaSteps(seed, false) : await aa(definition, seed, 1);
    if (old) {
      before += 1;
      where.set(`before ${old}`, (where.get(`before ${old}`) ?? 0) + 1);
    }
    const now = judgeOnly ? aaSteps(seed, true) : await aa(definition, seed);
    if (now) {
      after += 1;
      where.set(`after ${now}`, (where.get(`after ${now}`) ?? 0) + 1);
    }
    if ((run + 1) % Math.max(25, Math.ceil(RUNS / 10)) === 0 && run + 1 < RUNS) console.log(`  … ${run + 1} runs: before ${before}, after ${after}`);
  }
  // The budget of what is simulated: α for the whole deployment, α/2 for the steps alone.
  const budget = judgeOnly ? ALPHA / 2 : ALPHA;
  const line = (label: string, k: number) => {
    const p = k / RUNS;
    const se = Math.sqrt((p * (1 - p)) / RUNS);
    const bound = budget + 3 * Math.sqrt((budget * (1 - budget)) / RUNS);
    return `  ${label} rolled back ${k}/${RUNS} = ${(100 * p).toFixed(2)} % ± ${(100 * se).toFixed(2)} pp (1 SE); ${p <= bound ? 'within' : 'ABOVE'} its budget ${budget} + 3 SE`;
  };
  console.log(`ECS native A/A false rollbacks: LINEAR ${STEP} % (${judgeOnly ? 'steps only, judge alone' : 'steps + bake, full path'}), ${RUNS} runs, seeds ${SEED}–${SEED + RUNS - 1}, α = ${ALPHA}, dispersion ${DISPERSION}, 3,000 req/min, 1 % 5xx on both`);
  console.log(line('before (each step α/2):     ', before));
  console.log(line('after (α/2 over the steps):', after));
  console.log(`  ratio after/before: ${before > 0 ? (after / before).toFixed(2) : 'n/a'}`);
  console.log(`  where: ${[...where].map(([key, count]) => `${key} ×${count}`).join(', ') || 'none'}  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
