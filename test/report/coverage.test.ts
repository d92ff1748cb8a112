import { coverageReport, ecsServiceCoverage, groupCoverage, type DescribedDeploymentGroup, type DescribedEcsService } from '../../lib/report/coverage';

const PERIOD = { period: '2026-01-01' };
const lambdaGroup = (overrides: Partial<DescribedDeploymentGroup> = {}): DescribedDeploymentGroup => ({
  application: 'app',
  group: 'prod',
  computePlatform: 'Lambda',
  tags: { 'canary-evaluator': 'E1' },
  lambdaFunction: { name: 'fn', logFormat: 'JSON', tracingMode: 'Active' },
  deployments: [],
  ...overrides,
});
const status = (group: ReturnType<typeof groupCoverage>, criterion: string) => group.maturity.find((result) => result.criterion === criterion);

describe('coverage classification (pure)', () => {
  test('a release without an evaluation fails "check on each deployment", naming it; rollback deployments are not releases', () => {
    const group = groupCoverage(
      lambdaGroup({
        deployments: [
          { deploymentId: 'd-ROLLBACK', creator: 'codeDeployRollback', result: 'promoted', summary: 'rollback', evaluated: false },
          { deploymentId: 'd-NEW', creator: 'user', result: 'promoted', summary: 'promoted', evaluated: false },
          { deploymentId: 'd-OLD', creator: 'user', result: 'rolled-back', summary: 'rolled back', evaluated: true },
        ],
        latestEvaluationSmoke: { deploymentId: 'd-OLD', phases: ['pre-traffic', 'post-deploy'] },
      }),
      PERIOD,
    );
    expect(status(group, 'check-on-each-deployment')).toEqual({ criterion: 'check-on-each-deployment', status: 'not-met', evidence: '1 of 2 release(s) since 2026-01-01 evaluated; not: d-NEW' });
    // The newest deployment is shown, and the newest evaluated one beside it.
    expect(group.lastDeployment).toEqual({ deploymentId: 'd-ROLLBACK', outcome: 'not-evaluated', summary: 'rollback' });
    expect(group.lastEvaluatedDeployment).toEqual({ deploymentId: 'd-OLD', outcome: 'rolled-back', summary: 'rolled back' });
    expect(status(group, 'smoke-tests')?.evidence).toBe('the latest evaluation (d-OLD) ran pre-traffic and post-deploy smoke tests');
  });

  test('plain-text logs and pass-through tracing are not met; trace context then waits on tracing', () => {
    const group = groupCoverage(lambdaGroup({ lambdaFunction: { name: 'fn' }, latestEvaluationSmoke: { deploymentId: 'd-1', phases: ['post-deploy'] } }), PERIOD);
    expect(status(group, 'structured-logs')).toMatchObject({ status: 'not-met', evidence: 'fn: LoggingConfig.LogFormat Text' });
    expect(status(group, 'tracing')).toMatchObject({ status: 'not-met', evidence: 'fn: TracingConfig.Mode PassThrough' });
    expect(status(group, 'trace-context')).toMatchObject({ status: 'not-met', evidence: 'smoke tests send it, but fn: TracingConfig.Mode PassThrough' });
  });

  test('an evaluation that ran no smoke test: smoke tests and trace context not met', () => {
    const group = groupCoverage(lambdaGroup({ latestEvaluationSmoke: { deploymentId: 'd-1', phases: [] } }), PERIOD);
    expect(status(group, 'smoke-tests')).toMatchObject({ status: 'not-met', evidence: 'the latest evaluation (d-1) ran no smoke test: the policy has none or turns them off' });
    expect(status(group, 'trace-context')?.status).toBe('not-met');
  });

  test('a group whose verdicts were not read (no evaluator state machine) is unknown, not met', () => {
    const group = groupCoverage(lambdaGroup({ deployments: undefined }), PERIOD);
    expect(status(group, 'check-on-each-deployment')).toMatchObject({ status: 'unknown', evidence: "the group's deployments were not read" });
    expect(status(group, 'smoke-tests')?.status).toBe('unknown');
  });

  test('a native ECS service is protected by its own tag even without a hook; the check on each deployment is then unknown', () => {
    const service: DescribedEcsService = { cluster: 'c', service: 's', strategy: 'LINEAR', tags: { 'canary-evaluator': 'E1' }, lifecycleHooks: [] };
    const coverage = ecsServiceCoverage(service, {});
    expect(coverage.protection).toEqual({ protected: true, evaluatorTag: 'E1', evidence: 'service tagged canary-evaluator=E1' });
    expect(coverage.maturity[2]).toMatchObject({ criterion: 'check-on-each-deployment', status: 'unknown' });
    expect(ecsServiceCoverage(service, { evaluatorTag: 'E2' }).protection.protected).toBe(false);
  });

  test('summary: mature counts protected entries whose every criterion is met (unknown is not met)', () => {
    const met = lambdaGroup({
      deployments: [{ deploymentId: 'd-1', creator: 'user', result: 'promoted', summary: 'ok', evaluated: true }],
      latestEvaluationSmoke: { deploymentId: 'd-1', phases: ['post-deploy'] },
    });
    const report = coverageReport({ region: 'eu-west-1', since: '2026-01-01T00:00:00.000Z', groups: [met, { ...met, group: 'ecs', computePlatform: 'ECS', lambdaFunction: undefined }, { ...met, group: 'bare', tags: {} }], ecsServices: [] });
    expect(report.summary).toEqual({ total: 3, protected: 2, unprotected: 1, mature: 1 });
    expect(report.deploymentGroups.map((group) => group.group)).toEqual(['bare', 'ecs', 'prod']);
  });
});
