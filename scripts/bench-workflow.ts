/**
 * `npm run bench:workflow`: what one evaluation costs, and how heavy the Lambdas are.
 * 1. Runs deployments locally (synthesized state machine, real handlers, virtual clock): a pre-traffic
 *    hook with its canary watch, then a 10-minute bake, one-minute periods, 6 metrics, for a
 *    Canary10Percent5Minutes shift and a 30-minute one, each with the watch running while the deployment
 *    is InProgress (before) and ending with the shift (after). Counts state transitions, Lambda
 *    invocations and GetMetricData metrics requested, and prices them (CodeDeploy API calls are free).
 *    `--cost-only` skips part 2.
 * 2. Bundles each Lambda as NodejsFunction does (esbuild, minified, CJS, `@aws-sdk/*` external) and measures
 *    its size and its `node` module-load time, each also as a ratio to an empty handler bundled the same way.
 * 3. The log signal (issue 26, lib/evaluation/logs; not yet run by the deployed evaluator): Logs Insights
 *    queries and bytes scanned for a 10-minute bake on simulated logs, priced at $0.005 per GB scanned
 *    (us-east-1), as a ratio to the evaluation's own cost above.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { STATE } from '../lib/constructs/evaluation-definition';
import { parsePolicy } from '../lib/policy';
import { synthesizeEvaluationDefinition } from '../lib/simulate/definition';
import { simulateDeployment } from '../lib/simulate/deployment';
import { SteadyMetricSource } from '../lib/simulate/steady-metric-source';
import { runLogScenario } from '../lib/simulate/logs/log-run';
import { USD_PER_GB_SCANNED } from '../lib/evaluation/logs';
import { BYTES_PER_GB } from '../lib/policy/logs';

const PRICE = {
  transition: 0.025 / 1000,
  metricRequested: 0.01 / 1000,
  gbSecondArm64: 0.0000133334,
  request: 0.2 / 1_000_000,
};
/** Assumed billed durations (ms): metric-reading ticks wait on GetMetricData; the others are quick. */
const ASSUMED_MS: Record<string, number> = { [STATE.evaluate]: 300, [STATE.watch]: 300, [STATE.preSmoke]: 500, [STATE.postSmoke]: 500, hook: 300 };
const DEFAULT_MS = 100;
const MEMORY_GB = 256 / 1024;
const TARGETS = { costPerEvaluation: 0.005, bundleKb: 256, loadMs: 100 };

/** A deployment shape: how long CodeDeploy shifts traffic, how long the bake runs, and whether the watch sees the shift end. */
interface Shape {
  readonly label: string;
  readonly shiftMinutes: number;
  readonly bakeMinutes: number;
  /** True: the watch reads GetDeploymentTarget weights and ends with the shift; false: it runs until the deployment leaves InProgress (or 30 min). */
  readonly watchEndsWithShift: boolean;
}

async function costOfOneEvaluation(shape: Shape) {
  const definition = synthesizeEvaluationDefinition();
  const count = (name: string, metricName: string) => ({
    name,
    kind: 'count' as const,
    count: { namespace: 'AWS/Lambda', metricName },
    total: { namespace: 'AWS/Lambda', metricName: 'Invocations' },
    versioning: { type: 'lambda-alias' as const },
  });
  const gauge = (name: string, stat: string) => ({ name, kind: 'gauge' as const, value: { namespace: 'AWS/Lambda', metricName: 'Duration', stat }, versioning: { type: 'lambda-alias' as const } });
  const policy = parsePolicy({
    // Six distinct metrics: 3 counts (each 2 queries per arm) and 3 gauges (1 query per arm) = 18 metrics per look.
    metrics: [count('errors', 'Errors'), count('throttles', 'Throttles'), count('dlq-errors', 'DeadLetterErrors'), gauge('p99', 'p99'), gauge('p90', 'p90'), gauge('p50', 'p50')],
    smokeTests: [{ name: 'health', expect: { statusCode: 200 } }],
    canaryWatch: { period: '60s', maxDuration: '30m' },
    bake: { duration: `${shape.bakeMinutes}m`, period: '60s' },
    metricLag: '2m',
  });
  const start = new Date('2026-11-26T10:00:00Z');
  const metrics = new SteadyMetricSource({ '1': { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 }, '2': { requestsPerMinute: 100, errorRate: 0.01, p99Ms: 300 } });
  const common = { policy, metrics, appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' } };
  // GetDeployment stays InProgress through AfterAllowTraffic: the deployment ends after the shift and the bake.
  const minutes = (n: number) => new Date(start.getTime() + n * 60000);
  const pre = await simulateDeployment(definition, {
    ...common,
    deploymentId: 'd-BENCH0001',
    start,
    lifecycleEvent: 'BeforeAllowTraffic',
    deploymentEndsAt: minutes(shape.shiftMinutes + shape.bakeMinutes + 1),
    ...(shape.watchEndsWithShift ? { shiftEndsAt: minutes(shape.shiftMinutes) } : {}),
  });
  const bake = await simulateDeployment(definition, { ...common, deploymentId: 'd-BENCH0001', start: minutes(shape.shiftMinutes + 1), lifecycleEvent: 'AfterAllowTraffic' });

  const transitions = pre.execution.statesEntered.length + bake.execution.statesEntered.length;
  const invocations: Record<string, number> = { hook: 2 };
  for (const run of [pre, bake]) for (const [state, n] of Object.entries(run.usage.invocations)) invocations[state] = (invocations[state] ?? 0) + n;
  const lambdaCalls = Object.values(invocations).reduce((a, b) => a + b, 0);
  const gbSeconds = Object.entries(invocations).reduce((sum, [state, n]) => sum + n * ((ASSUMED_MS[state] ?? DEFAULT_MS) / 1000) * MEMORY_GB, 0);
  const metricsRequested = pre.usage.metricsRequested + bake.usage.metricsRequested;
  const cost = {
    stepFunctions: transitions * PRICE.transition,
    getMetricData: metricsRequested * PRICE.metricRequested,
    lambdaCompute: gbSeconds * PRICE.gbSecondArm64,
    lambdaRequests: lambdaCalls * PRICE.request,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  console.log(`\nOne evaluation: ${shape.label}; ${shape.watchEndsWithShift ? 'watch ends with the shift (GetDeploymentTarget)' : 'watch runs while the deployment is InProgress (before)'}; 60 s periods, 6 metrics`);
  console.log(`  reports: ${[...pre.reports, ...bake.reports].map((r) => r.status).join(', ')}; watch ticks ${pre.watchTicks.length}, bake ticks ${bake.ticks.length}`);
  console.log(`  state transitions      ${String(transitions).padStart(6)}  → $${cost.stepFunctions.toFixed(5)}`);
  console.log(`  GetMetricData metrics  ${String(metricsRequested).padStart(6)}  → $${cost.getMetricData.toFixed(5)}  (${pre.usage.getMetricDataCalls + bake.usage.getMetricDataCalls} calls)`);
  console.log(`  Lambda invocations     ${String(lambdaCalls).padStart(6)}  → $${(cost.lambdaCompute + cost.lambdaRequests).toFixed(5)}  (${gbSeconds.toFixed(2)} GB-s at 256 MB arm64; assumed ms: evaluate/watch 300, smoke 500, hook 300, others 100; $0.20 per 1M requests)`);
  console.log(`    by state: ${Object.entries(invocations).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  console.log(`  total                          $${total.toFixed(5)}  (target ≤ $${TARGETS.costPerEvaluation}; ${(total / TARGETS.costPerEvaluation).toFixed(2)}× target)`);
  return total;
}

async function bundles() {
  const dir = join(__dirname, '..', '.bench-bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const emptyEntry = join(dir, 'empty.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({});\n');
  const entries: Array<[string, string]> = [
    ['(empty handler)', emptyEntry],
    ...['hook', 'prepare', 'smoke', 'evaluate', 'watch', 'report'].map((name): [string, string] => [name, join(__dirname, '..', 'lambdas', name, 'index.ts')]),
  ];
  const rows: Array<{ name: string; bytes: number; loadMs: number }> = [];
  try {
    for (const [name, entry] of entries) {
      const outfile = join(dir, `${name.replace(/\W/g, '')}.js`);
      await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', external: ['@aws-sdk/*'], logLevel: 'silent' });
      const bytes = Buffer.byteLength(execFileSync('cat', [outfile]));
      // Module-load time in a fresh node process (median of 5): what a cold start pays before the handler runs.
      const samples = Array.from({ length: 5 }, () =>
        Number(
          execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], {
            env: { ...process.env, AWS_REGION: 'us-east-1', STATE_MACHINE_ARN: 'x', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          }).toString(),
        ),
      ).sort((a, b) => a - b);
      rows.push({ name, bytes, loadMs: samples[2] });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [empty] = rows;
  console.log('\nLambda bundles (esbuild, minify, CJS, @aws-sdk/* external); load = median `require` time of 5 fresh node processes');
  console.log('  handler          size KB  ×empty   load ms  ×empty');
  for (const row of rows) {
    const over = row.bytes / 1024 > TARGETS.bundleKb || row.loadMs > TARGETS.loadMs ? '  OVER TARGET' : '';
    console.log(
      `  ${row.name.padEnd(16)} ${(row.bytes / 1024).toFixed(1).padStart(7)} ${(row.bytes / empty.bytes).toFixed(0).padStart(7)} ${row.loadMs.toFixed(1).padStart(9)} ${(row.loadMs / empty.loadMs).toFixed(1).padStart(7)}${over}`,
    );
  }
  console.log(`  targets: ≤ ${TARGETS.bundleKb} KB, ≤ ${TARGETS.loadMs} ms`);
}

/** The log signal's Logs Insights bill for one 10-minute bake (healthy release, 20 seeds), at two traffic levels. */
async function logSignalCost(evaluationCost: number) {
  console.log('\nLog signal (Logs Insights), one 10-minute bake, one look per minute, 24 h lookback; simulated Lambda JSON logs (~620 bytes per request)');
  console.log('  requests/min   queries  ≤ per look   MB scanned   USD      × evaluation cost (Canary10Percent5Minutes, after)');
  for (const requestsPerMinute of [1500, 15000]) {
    const runs = [];
    for (let seed = 1; seed <= 20; seed++) runs.push(await runLogScenario({ seed, profile: { newBenignLines: 20 }, requestsPerMinute }));
    const bytes = runs.reduce((sum, run) => sum + run.bytesScanned, 0) / runs.length;
    const usd = (bytes / BYTES_PER_GB) * USD_PER_GB_SCANNED;
    console.log(
      `  ${String(requestsPerMinute).padStart(12)} ${String(runs[0].queries).padStart(9)} ${String(Math.max(...runs.map((r) => r.mostQueriesPerLook))).padStart(11)} ${(bytes / 1e6).toFixed(0).padStart(12)}   $${usd.toFixed(4)}  ${(usd / evaluationCost).toFixed(2)}×`,
    );
  }
}

async function main() {
  const shapes: Array<Omit<Shape, 'watchEndsWithShift'>> = [
    { label: 'Canary10Percent5Minutes (5-min shift, 10-min bake)', shiftMinutes: 5, bakeMinutes: 10 },
    { label: '30-min shift, 10-min bake', shiftMinutes: 30, bakeMinutes: 10 },
  ];
  const figures: string[] = [];
  let evaluationCost = 0;
  for (const shape of shapes) {
    const before = await costOfOneEvaluation({ ...shape, watchEndsWithShift: false });
    const after = await costOfOneEvaluation({ ...shape, watchEndsWithShift: true });
    if (evaluationCost === 0) evaluationCost = after;
    figures.push(`  ${shape.label.padEnd(52)} before $${before.toFixed(5)}  after $${after.toFixed(5)}  (after/before ${(after / before).toFixed(2)})`);
  }
  console.log('\nAWS cost per evaluation, before and after the canary watch ends with the traffic shift');
  for (const line of figures) console.log(line);
  await logSignalCost(evaluationCost);
  if (!process.argv.includes('--cost-only')) await bundles();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
