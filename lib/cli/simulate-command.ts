import { loadPolicyFile } from '../policy';
import { DEMO_POLICY_FILE } from '../demo/demo-stack';
import { synthesizeEvaluationDefinition } from '../simulate/definition';
import { simulateDeployment, type SimulatedDeploymentResult } from '../simulate/deployment';
import { SteadyMetricSource } from '../simulate/steady-metric-source';
import { EXIT, type CommandIO } from './io';

const START = new Date('2026-11-26T10:00:00Z');

/** The two demo deployments of the walking skeleton: same traffic, one healthy, one with 3× the errors. */
const DEMO_DEPLOYMENTS = [
  { name: 'healthy', canary: { requestsPerMinute: 1000, errorRate: 0.01, p99Ms: 420 } },
  { name: 'error-regression', canary: { requestsPerMinute: 1000, errorRate: 0.03, p99Ms: 430 } },
] as const;

function describe(name: string, result: SimulatedDeploymentResult): string {
  const last = result.ticks.at(-1)?.tick;
  const report = result.reports[0];
  const minutes = report ? Math.round((report.at.getTime() - START.getTime()) / 60000) : undefined;
  const lines = [
    `▶ ${name}`,
    ...result.ticks.map(({ at, tick }) => `  ${at.toISOString().slice(11, 16)}  ${tick.decision.padEnd(8)} ${tick.periodsJudged} period(s)  ${tick.reason}`),
    report
      ? `  CodeDeploy heard: ${report.status} after ${minutes} min → ${report.status === 'Succeeded' ? 'deployment continues' : 'deployment stopped and rolled back'}`
      : `  CodeDeploy heard nothing (execution ${result.execution.status}: ${result.execution.error ?? ''})`,
  ];
  if (last) for (const metric of last.verdict.metrics) lines.push(`    ${metric.decision.padEnd(8)} ${metric.reason}`);
  return lines.join('\n');
}

/** `canary-eval simulate`: runs the synthesized state machine locally on simulated deployments. */
export async function simulateCommand(_argv: readonly string[], io: CommandIO): Promise<number> {
  const definition = synthesizeEvaluationDefinition();
  const policy = loadPolicyFile(DEMO_POLICY_FILE);
  for (const [index, deployment] of DEMO_DEPLOYMENTS.entries()) {
    const result = await simulateDeployment(definition, {
      deploymentId: `d-SIM00000${index + 1}`,
      policy,
      start: START,
      appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
      metrics: new SteadyMetricSource({ '1': { requestsPerMinute: 1000, errorRate: 0.01, p99Ms: 420 }, '2': deployment.canary }),
    });
    io.stdout(describe(deployment.name, result));
  }
  return EXIT.ok;
}
