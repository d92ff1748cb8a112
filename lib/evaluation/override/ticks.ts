import type { TickResult } from '../state';
import { overrideWords, type OverrideOutcome } from './record';

/**
 * The bake's look when an override is honoured: final at once, whatever the metrics say.
 * - skip: `pass` without judging (no metric is read);
 * - promote: `pass`; the window judged so far (`judged`) is kept for the record;
 * - rollback: `fail` without judging.
 * The Decide state routes a tick with an honoured override straight to its outcome (cause `override`):
 * no post-deploy smoke tests, on call has decided.
 */
export function overriddenBakeTick(override: OverrideOutcome, judged?: TickResult): TickResult {
  const decision = override.action === 'rollback' ? 'fail' : 'pass';
  const words = overrideWords(override);
  const reason = judged ? `${words}; the verdict so far: ${judged.reason}` : words;
  return {
    decision,
    final: true,
    reason,
    waitSeconds: 0,
    periodsJudged: judged?.periodsJudged ?? 0,
    verdict: judged ? { ...judged.verdict, reason } : { decision, final: true, reason, metrics: [] },
    override,
  };
}
