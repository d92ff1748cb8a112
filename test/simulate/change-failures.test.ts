import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { InMemoryChangeFailures } from '../../lib/simulate/promotion-store';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

const definition = synthesizeEvaluationDefinition();
const healthy = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const metrics = new SteadyMetricSource({ '1': healthy, '2': healthy, '3': healthy });
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  bake: { duration: '3m', period: '60s' },
  metricLag: '2m',
});
const deploy = (deploymentId: string, currentVersion: string, targetVersion: string, start: string, changeFailures: InMemoryChangeFailures) =>
  simulateDeployment(definition, { deploymentId, start: new Date(start), appSpec: { functionName: 'orders', alias: 'live', currentVersion, targetVersion }, policy, metrics, changeFailures });

describe('simulation: a promoted release, then a redeployment of the version it replaced', () => {
  test('counts the release escaped, once; a forward release after it counts nothing', async () => {
    const changeFailures = new InMemoryChangeFailures();
    const release = await deploy('d-REL00001', '1', '2', '2026-12-07T09:00:00Z', changeFailures);
    expect(release.reports.map((report) => report.status)).toEqual(['Succeeded']);
    expect(changeFailures.escaped).toEqual([]);
    // The team finds a fault the canary did not show and puts version 1 back.
    const undo = await deploy('d-UNDO0001', '2', '1', '2026-12-07T11:00:00Z', changeFailures);
    expect(undo.reports.map((report) => report.status)).toEqual(['Succeeded']);
    expect(changeFailures.escaped.map((promotion) => [promotion.deploymentId, promotion.currentVersion, promotion.targetVersion])).toEqual([['d-REL00001', '1', '2']]);
    await deploy('d-FWD00001', '1', '3', '2026-12-07T13:00:00Z', changeFailures);
    expect(changeFailures.escaped).toHaveLength(1);
  }, 600_000);
});
