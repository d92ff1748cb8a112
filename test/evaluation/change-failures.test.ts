import { parsePromotionRecord, promotionOf, undoesPromotion, type PromotionRecord } from '../../lib/evaluation/change-failures/escape';
import { trackChangeFailures, type PromotionStore } from '../../lib/evaluation/change-failures/track';
import type { VerdictEvent } from '../../lib/evaluation/ports';
import type { EvaluationInput } from '../../lib/evaluation/state';

const lambdaInput = (deploymentId: string, currentVersion: string, targetVersion: string, lifecycleEvent: EvaluationInput['lifecycleEvent'] = 'AfterAllowTraffic'): EvaluationInput => ({
  deploymentId,
  lifecycleEventHookExecutionId: `h-${deploymentId}`,
  lifecycleEvent,
  applicationName: 'app',
  deploymentGroupName: 'group',
  target: { type: 'lambda', functionName: 'fn', alias: 'live', currentVersion, targetVersion },
  policyRef: { bucket: 'b', key: 'k' },
  hookInvokedAt: '2026-12-07T10:00:00.000Z',
});
const ecsInput = (deploymentId: string, taskDefinition: string): EvaluationInput => ({
  ...lambdaInput(deploymentId, 'x', 'y'),
  target: { type: 'ecs', loadBalancer: 'app/lb/1', canaryTargetGroup: 'targetgroup/g/1', baselineTargetGroup: 'targetgroup/b/2', taskDefinition },
});
const verdict = (input: EvaluationInput, decision: VerdictEvent['decision'], status: VerdictEvent['status'], dryRun = false): VerdictEvent => ({
  deploymentId: input.deploymentId,
  applicationName: input.applicationName,
  deploymentGroupName: input.deploymentGroupName,
  lifecycleEvent: input.lifecycleEvent,
  status,
  decision,
  cause: 'verdict',
  reason: 'r',
  dryRun,
  timeToVerdictSeconds: 60,
});
const pass = (input: EvaluationInput) => verdict(input, 'pass', 'Succeeded');

describe('the escape rule (which deployment undoes which promotion)', () => {
  const r: PromotionRecord = { deploymentId: 'd-R', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '2', currentVersion: '1', judged: true };

  test('a later deployment of the version the promotion replaced undoes it', () => {
    expect(undoesPromotion(r, { deploymentId: 'd-N', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '1' })).toBe(true);
  });

  test('a deployment of any other version, the promotion itself, or another group does not', () => {
    expect(undoesPromotion(r, { deploymentId: 'd-N', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '3' })).toBe(false);
    expect(undoesPromotion(r, { deploymentId: 'd-R', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '1' })).toBe(false);
    expect(undoesPromotion(r, { deploymentId: 'd-N', applicationName: 'app', deploymentGroupName: 'other', targetVersion: '1' })).toBe(false);
    const noReplaced: PromotionRecord = { deploymentId: 'd-R', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '2', judged: true };
    expect(undoesPromotion(noReplaced, { deploymentId: 'd-N', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '1' })).toBe(false);
  });

  test('only the bake’s accepted Succeeded report is a promotion; a pass is judged unless a dry run or without a verdict', () => {
    const bake = lambdaInput('d-R', '1', '2');
    expect(promotionOf(bake, pass(bake), undefined)).toEqual({ deploymentId: 'd-R', applicationName: 'app', deploymentGroupName: 'group', targetVersion: '2', currentVersion: '1', judged: true });
    expect(promotionOf(bake, verdict(bake, 'fail', 'Failed'), undefined)).toBeUndefined();
    const preTraffic = lambdaInput('d-R', '1', '2', 'BeforeAllowTraffic');
    expect(promotionOf(preTraffic, pass(preTraffic), undefined)).toBeUndefined();
    expect(promotionOf(bake, verdict(bake, 'pass', 'Succeeded', true), undefined)?.judged).toBe(false);
    expect(promotionOf(bake, verdict(bake, 'inconclusive', 'Succeeded'), undefined)?.judged).toBe(false);
  });

  test('ECS: what a promotion replaced is the previous promotion’s task definition, kept when its own publish is retried', () => {
    const first = ecsInput('d-1', 'arn:td:1');
    const r1 = promotionOf(first, pass(first), undefined);
    expect(r1).toEqual({ deploymentId: 'd-1', applicationName: 'app', deploymentGroupName: 'group', targetVersion: 'arn:td:1', judged: true });
    const second = ecsInput('d-2', 'arn:td:2');
    const r2 = promotionOf(second, pass(second), r1);
    expect(r2?.currentVersion).toBe('arn:td:1');
    expect(promotionOf(second, pass(second), r2)?.currentVersion).toBe('arn:td:1');
  });

  test('a stored record is checked field by field', () => {
    expect(parsePromotionRecord({ ...r })).toEqual(r);
    expect(() => parsePromotionRecord({ ...r, judged: 'yes' })).toThrow('promotion.judged: expected true or false');
    expect(() => parsePromotionRecord({ ...r, targetVersion: '' })).toThrow('promotion.targetVersion: expected a non-empty string');
  });
});

/** A store kept in memory, as S3 keeps it: one record per group, one marker per escape. */
class MemoryPromotionStore implements PromotionStore {
  readonly records = new Map<string, PromotionRecord>();
  readonly markers = new Set<string>();
  async lastPromotion(group: { applicationName: string; deploymentGroupName: string }) {
    return this.records.get(`${group.applicationName}/${group.deploymentGroupName}`);
  }
  async recordPromotion(record: PromotionRecord) {
    this.records.set(`${record.applicationName}/${record.deploymentGroupName}`, record);
  }
  async escapeCounted(promotion: PromotionRecord) {
    return this.markers.has(promotion.deploymentId);
  }
  async markEscapeCounted(promotion: PromotionRecord) {
    if (this.markers.has(promotion.deploymentId)) return 'already-marked' as const;
    this.markers.add(promotion.deploymentId);
    return 'marked' as const;
  }
}

describe('trackChangeFailures (the publish step’s bookkeeping)', () => {
  const log = { error: jest.fn(), info: jest.fn() };
  const setup = () => {
    const store = new MemoryPromotionStore();
    const published: string[] = [];
    return { store, published, deps: { store, sink: { publishEscaped: async (p: PromotionRecord) => void published.push(p.deploymentId) }, log } };
  };

  test('a promoted release undone by the next deployment is published as escaped exactly once, across retries and both hooks', async () => {
    const { store, published, deps } = setup();
    const release = lambdaInput('d-R', '1', '2');
    expect(await trackChangeFailures(release, pass(release), deps)).toEqual({ recorded: 'd-R' });
    // d-N puts version 1 back: its pre-traffic verdict counts it, its retried publish and its bake do not again.
    const before = lambdaInput('d-N', '2', '1', 'BeforeAllowTraffic');
    expect(await trackChangeFailures(before, pass(before), deps)).toEqual({ escaped: 'd-R' });
    expect(await trackChangeFailures(before, pass(before), deps)).toEqual({});
    const after = lambdaInput('d-N', '2', '1');
    expect(await trackChangeFailures(after, pass(after), deps)).toEqual({ recorded: 'd-N' });
    expect(await trackChangeFailures(after, pass(after), deps)).toEqual({ recorded: 'd-N' });
    expect(published).toEqual(['d-R']);
    expect(store.records.get('app/group')).toMatchObject({ deploymentId: 'd-N', currentVersion: '2', targetVersion: '1' });
  });

  test('a forward release, a dry-run promotion undone, and a failed metric (retried) publish no extra escape', async () => {
    const { published, deps } = setup();
    const r1 = lambdaInput('d-1', '1', '2');
    await trackChangeFailures(r1, pass(r1), deps);
    const r2 = lambdaInput('d-2', '2', '3');
    expect(await trackChangeFailures(r2, verdict(r2, 'pass', 'Succeeded', true), deps)).toEqual({ recorded: 'd-2' });
    // Undoing the dry-run promotion is not an escape the evaluator let through (it judged nothing that acted).
    const undo = lambdaInput('d-3', '3', '2');
    expect(await trackChangeFailures(undo, pass(undo), deps)).toEqual({ recorded: 'd-3' });
    expect(published).toEqual([]);
    // d-3 (judged, replaced 3) undone by d-4; the metric fails once, the retry publishes it once.
    const failing = { ...deps, sink: { publishEscaped: jest.fn().mockRejectedValueOnce(new Error('throttled')).mockImplementation(async (p: PromotionRecord) => void published.push(p.deploymentId)) } };
    const d4 = lambdaInput('d-4', '2', '3');
    await expect(trackChangeFailures(d4, pass(d4), failing)).rejects.toThrow('throttled');
    expect(await trackChangeFailures(d4, pass(d4), failing)).toEqual({ escaped: 'd-3', recorded: 'd-4' });
    expect(await trackChangeFailures(d4, pass(d4), failing)).toEqual({ recorded: 'd-4' });
    expect(published).toEqual(['d-3']);
  });

  test('ECS: redeploying the task definition a passed release replaced counts it escaped', async () => {
    const { published, deps } = setup();
    for (const [id, td] of [['d-1', 'arn:td:1'], ['d-2', 'arn:td:2'], ['d-3', 'arn:td:1']] as const) {
      const input = ecsInput(id, td);
      await trackChangeFailures(input, pass(input), deps);
    }
    expect(published).toEqual(['d-2']);
  });
});
