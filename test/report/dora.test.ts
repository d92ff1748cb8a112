import { doraMetrics, type DoraDeployment } from '../../lib/report/dora';
import fixture from '../fixtures/dora/deployments.json';

// 120 deployments of one Lambda service over 30 days (test/fixtures/dora/make-fixture.ts), each labelled.
const deployments = fixture.deployments as ReadonlyArray<DoraDeployment & { label: string }>;
const count = (label: string) => deployments.filter((d) => d.label === label).length;

describe('DORA metrics from CodeDeploy records joined with verdicts', () => {
  const dora = doraMetrics(deployments, { since: fixture.since, until: fixture.until });

  test('the fixture, counted by hand from its labels', () => {
    expect(deployments).toHaveLength(120);
    expect({ ok: count('ok'), caught: count('caught'), escaped: count('escaped'), unjudged: count('unjudged'), failedToDeploy: count('failed-to-deploy'), autoRollback: count('auto-rollback'), manualRollback: count('manual-rollback') }).toEqual({
      ok: 64,
      caught: 8,
      escaped: 8,
      unjudged: 8,
      failedToDeploy: 8,
      autoRollback: 8,
      manualRollback: 16,
    });
  });

  test('change failures split into caught, escaped and unjudged, equal to the hand count', () => {
    expect(dora.failuresByKind).toEqual({ caught: 8, escaped: 8, unjudged: 8 });
    // The computed classes are the labelled ones, deployment by deployment.
    for (const failure of dora.failures) expect(deployments.find((d) => d.deploymentId === failure.deploymentId)!.label).toBe(failure.kind);
    // Releases: every deployment a person started that finished, less the 8 that never reached production.
    expect(dora.releases).toBe(64 + 8 + 8 + 8 + 16);
    expect(dora.failedToDeploy).toBe(8);
    expect(dora.changeFailRate).toBeCloseTo(24 / 104, 10);
  });

  test('deployment frequency, rework rate, recovery time and the exposure the evaluator allowed', () => {
    // Successful releases: 64 ok, 8 escaped, 8 unjudged, 16 manual rollbacks, over 30 days.
    expect(dora.deploymentFrequencyPerDay).toBeCloseTo(96 / 30, 3);
    // Rework: the 8 automatic rollbacks and the 16 redeployments of the version before.
    expect([...dora.rework].sort()).toEqual(deployments.filter((d) => d.label === 'auto-rollback' || d.label === 'manual-rollback').map((d) => d.deploymentId).sort());
    expect(dora.reworkRate).toBeCloseTo(24 / 120, 10);
    // Caught: 14 min from the release's start to its automatic rollback's end; escaped and unjudged:
    // promoted at +30 min, the old version back at +140 min: 110 min. Median of 8 × 840 s and 16 × 6,600 s.
    expect(dora.failures.filter((f) => f.kind === 'caught').map((f) => f.recoverySeconds)).toEqual(Array(8).fill(840));
    expect(dora.failures.filter((f) => f.kind !== 'caught').map((f) => f.recoverySeconds)).toEqual(Array(16).fill(6600));
    expect(dora.medianRecoverySeconds).toBe(6600);
    // 10 % of traffic for 11 minutes, 8 times.
    expect(dora.caughtExposureTrafficMinutes).toBeCloseTo(8 * 0.1 * 11, 6);
    expect(dora.leadTime.available).toBe(false);
  });

  test('no deployments: rates are null, not 0', () => {
    const empty = doraMetrics([], { since: fixture.since, until: fixture.until });
    expect(empty).toMatchObject({ changeFailRate: null, reworkRate: null, medianRecoverySeconds: null, deploymentFrequencyPerDay: 0 });
  });
});
