import { STATE } from '../../lib/constructs';
import type { IdentityVerifier, OverrideStore } from '../../lib/evaluation/override/look';
import { OVERRIDES, overrideBinding, overrideKey, type OverrideAction, type OverrideRecord } from '../../lib/evaluation/override/record';
import { ON_CALL_ARN, signedOverrideRecord, simulatedSts } from './override-support';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { SIMULATED_REPORT_BUCKET, simulateDeployment, type SimulatedDeployment } from '../../lib/simulate/deployment';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

/**
 * Issue 28 item 4: an override written while an evaluation waits is honoured at its next look, within
 * 60 s of simulated time, through the synthesized state machine; one verdict per hook; refused when the
 * registration forbids it or STS does not vouch for its author.
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthy = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });
const regressed = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100, errorRate: 0.05 } });
const policy = (extra: PolicyInput = {}) =>
  parsePolicy({
    metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
    smokeTests: [{ name: 'health', expect: { statusCode: 200 }, phase: 'both' }],
    bake: { duration: '20m', period: '60s' },
    canaryWatch: { period: '60s', maxDuration: '20m', stopDeploymentOnFail: true },
    metricLag: '2m',
    ...extra,
  });
const DEPLOYMENT = 'd-OVERRIDE1';
const WRITTEN_AT = new Date(START.getTime() + 4 * 60_000 + 17_000);
/** The record `canary-eval override` writes, signed by on call at `WRITTEN_AT`. */
function record(action: OverrideAction, lifecycleEvent: 'AfterAllowTraffic' | 'BeforeAllowTraffic', tamper?: (record: OverrideRecord) => OverrideRecord, writtenAt = WRITTEN_AT): OverrideRecord {
  return signedOverrideRecord({ deploymentId: DEPLOYMENT, lifecycleEvent, action, reason: 'INC-4711: the error-rate metric is broken, <@here> the fix must ship' }, writtenAt, tamper);
}

/** The report bucket's `overrides/`: the record appears when it was written (`requestedAt`), by the virtual clock. */
const bucketWith =
  (written: OverrideRecord): ((now: () => Date) => OverrideStore) =>
  (now) => ({
    read: async (bucket, key) =>
      bucket === SIMULATED_REPORT_BUCKET && key === overrideKey(written.deploymentId, written.lifecycleEvent) && now() >= new Date(written.requestedAt) ? JSON.parse(JSON.stringify(written)) : undefined,
  });

function deployment(extra: Partial<SimulatedDeployment> & { written?: OverrideRecord; allowed?: boolean; identity?: IdentityVerifier }): SimulatedDeployment {
  const { written, allowed = true, identity, ...rest } = extra;
  let clockNow = () => START;
  return {
    deploymentId: DEPLOYMENT,
    start: START,
    appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
    policy: policy(),
    metrics: healthy,
    lifecycleEvent: 'AfterAllowTraffic',
    ...(written
      ? {
          overrides: {
            allowed,
            store: (now) => ((clockNow = now), bucketWith(written)(now)),
            identity: identity ?? simulatedSts(() => clockNow()),
          },
        }
      : {}),
    ...rest,
  };
}

const secondsAfterWrite = (at: Date) => (at.getTime() - WRITTEN_AT.getTime()) / 1000;

describe('break-glass overrides through the local state machine', () => {
  test.each([
    ['promote', 'Succeeded', STATE.overriddenPass],
    ['skip', 'Succeeded', STATE.overriddenPass],
    ['rollback', 'Failed', STATE.overriddenFail],
  ] as const)('bake, %s: honoured at the next look within 60 s, one report (%s), no post-deploy smoke tests', async (action, status, outcomeState) => {
    const result = await simulateDeployment(definition, deployment({ written: record(action, 'AfterAllowTraffic') }));
    expect(result.reports.map((report) => report.status)).toEqual([status]);
    const honouredAt = result.ticks.find((look) => look.tick.override?.honoured);
    expect(honouredAt).toBeDefined();
    // Every look before the write saw nothing; the first at or after it honoured the override.
    expect(result.ticks.filter((look) => look.at < WRITTEN_AT).every((look) => look.tick.override === undefined)).toBe(true);
    expect(secondsAfterWrite(honouredAt!.at)).toBeGreaterThanOrEqual(0);
    expect(secondsAfterWrite(honouredAt!.at)).toBeLessThanOrEqual(OVERRIDES.lookSeconds);
    expect(result.ticks.at(-1)).toBe(honouredAt);
    expect(result.execution.statesEntered).toContain(outcomeState);
    expect(result.execution.statesEntered).not.toContain(STATE.postSmoke);
    // skip and rollback judge nothing at that look; promote keeps the window judged so far for the record.
    expect(honouredAt!.tick.periodsJudged > 0).toBe(action === 'promote');
    const events = result.verdictEvents.filter((event) => event.status !== 'NotReported');
    expect(events).toEqual([expect.objectContaining({ status, cause: 'override', decision: status === 'Succeeded' ? 'pass' : 'fail' })]);
    expect(events[0].override).toEqual({ action, reason: expect.stringContaining('INC-4711'), by: ON_CALL_ARN, requestedAt: WRITTEN_AT.toISOString(), honoured: true });
    expect(events[0].reason).toMatch(new RegExp(`^Overridden by ${ON_CALL_ARN.replace(/[/.]/g, '\\$&')}: ${action}`));
    // The Overrides metric is published with the verdict metrics: the verdict counted carries the override.
    expect(result.verdictMetrics.filter((event) => event.status !== 'NotReported').map((event) => event.override?.action)).toEqual([action]);
  });

  test('bake, 5-minute periods: an evaluation that allows overrides still looks at least once a minute', async () => {
    const result = await simulateDeployment(definition, deployment({ policy: policy({ bake: { duration: '20m', period: '5m' } }), written: record('promote', 'AfterAllowTraffic') }));
    const waits = result.ticks.slice(0, -1).map((look) => look.tick.waitSeconds);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(OVERRIDES.lookSeconds);
    const honouredAt = result.ticks.find((look) => look.tick.override?.honoured)!;
    expect(secondsAfterWrite(honouredAt.at)).toBeLessThanOrEqual(OVERRIDES.lookSeconds);
    expect(result.reports.map((report) => report.status)).toEqual(['Succeeded']);
  });

  test('a registration that forbids overrides refuses it: the bake judges on, the verdict records the refusal', async () => {
    // Written as the bake starts: the regression fails it within minutes.
    const result = await simulateDeployment(definition, deployment({ metrics: regressed, written: record('promote', 'AfterAllowTraffic', undefined, START), allowed: false }));
    expect(result.reports.map((report) => report.status)).toEqual(['Failed']);
    expect(result.ticks.some((look) => look.tick.override?.honoured)).toBe(false);
    const events = result.verdictEvents.filter((event) => event.status !== 'NotReported');
    expect(events).toEqual([expect.objectContaining({ cause: 'verdict', decision: 'fail' })]);
    expect(events[0].override).toEqual(expect.objectContaining({ honoured: false, refused: 'this registration forbids overrides (allowOverrides: false)', by: ON_CALL_ARN }));
    expect(events[0].reason).toContain(`Override refused (this registration forbids overrides (allowOverrides: false)): ${ON_CALL_ARN} asked to promote`);
  });

  test.each([
    ['the reason changed after signing (binding header left stale)', (r: OverrideRecord) => ({ ...r, reason: 'something else entirely' }), 'its proof of identity was not signed for this record'],
    ['the action changed and the binding header recomputed (the signature no longer matches)', (r: OverrideRecord) => {
      const changed = { ...r, action: 'rollback' as const };
      return { ...changed, proof: { ...r.proof, headers: { ...r.proof.headers, [OVERRIDES.bindingHeader]: overrideBinding(changed) } } };
    }, 'STS did not vouch for its author: HTTP 403 SignatureDoesNotMatch'],
    ['the record names another ARN than the signer', (r: OverrideRecord) => ({ ...r, callerArn: 'arn:aws:iam::123456789012:role/Admin' }), `signed by ${ON_CALL_ARN}, not by arn:aws:iam::123456789012:role/Admin`],
    ['the proof goes to another endpoint than STS', (r: OverrideRecord) => ({ ...r, proof: { ...r.proof, url: 'https://sts.example.com/' } }), 'not to an STS endpoint'],
  ])('refused when %s: one verdict, the metrics decide', async (_name, tamper, refused) => {
    const result = await simulateDeployment(definition, deployment({ metrics: regressed, written: record('promote', 'AfterAllowTraffic', tamper, START) }));
    expect(result.reports.map((report) => report.status)).toEqual(['Failed']);
    const events = result.verdictEvents.filter((event) => event.status !== 'NotReported');
    expect(events).toHaveLength(1);
    expect(events[0].override).toEqual(expect.objectContaining({ honoured: false, refused: expect.stringContaining(refused) }));
  });

  test('canary watch, rollback: the watch ends at its next look, stops the deployment and publishes the override; the hook keeps its one report', async () => {
    const result = await simulateDeployment(definition, deployment({ lifecycleEvent: 'BeforeAllowTraffic', written: record('rollback', 'BeforeAllowTraffic') }));
    expect(result.reports.map((report) => report.status)).toEqual(['Succeeded']);
    const last = result.watchTicks.at(-1)!;
    expect(last.tick).toEqual(expect.objectContaining({ done: true, decision: 'fail', stopped: 'stopped', override: expect.objectContaining({ action: 'rollback', honoured: true }) }));
    expect(secondsAfterWrite(last.at)).toBeGreaterThanOrEqual(0);
    expect(secondsAfterWrite(last.at)).toBeLessThanOrEqual(OVERRIDES.lookSeconds);
    expect(result.stops).toBe(1);
    expect(result.verdictFailed.at(-1)).toBe(1);
    const watchEvents = result.verdictEvents.filter((event) => event.status === 'NotReported');
    expect(watchEvents).toEqual([expect.objectContaining({ cause: 'override', decision: 'fail', codeDeploy: 'stopped with rollback by the canary watch (overridden)' })]);
  });

  test('canary watch, promote: the watch ends at its next look without stopping anything, the override published', async () => {
    const result = await simulateDeployment(definition, deployment({ lifecycleEvent: 'BeforeAllowTraffic', written: record('promote', 'BeforeAllowTraffic') }));
    expect(result.reports.map((report) => report.status)).toEqual(['Succeeded']);
    const last = result.watchTicks.at(-1)!;
    expect(last.tick).toEqual(expect.objectContaining({ done: true, decision: 'pass', override: expect.objectContaining({ action: 'promote', honoured: true }) }));
    expect(secondsAfterWrite(last.at)).toBeLessThanOrEqual(OVERRIDES.lookSeconds);
    expect(result.stops).toBe(0);
    expect(result.verdictFailed).not.toContain(1);
    expect(result.verdictEvents.filter((event) => event.status === 'NotReported')).toEqual([expect.objectContaining({ cause: 'override', decision: 'pass' })]);
  });
});
