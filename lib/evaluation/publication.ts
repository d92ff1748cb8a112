import { boolean, object, oneOf, StateError, string } from './check';
import { notifyBestEffort, type NotificationChannel, type NotificationSource, type NotifyDependencies } from './notify';
import type { PublicationLedger, PublicationStep, VerdictEvent, VerdictSink } from './ports';
import { withStoredReport, type ReportWriter } from './stored-report';
import { overrideOutcomeOf } from './override/outcome';

/** What making a verdict known needs: the sink, and optionally the ledger, the report bucket and the topic. */
export interface PublishDependencies extends NotifyDependencies {
  readonly sink: VerdictSink;
  /** Each step once across retries and the sweep. @default - no ledger: each call publishes every step (the canary watch's own event) */
  readonly ledger?: PublicationLedger;
  readonly reports?: ReportWriter;
  readonly notifications?: NotificationChannel;
}

/** The ledger key of a hook's verdict: one verdict per deployment and lifecycle event (as its report's key). */
export function publicationKey(event: Pick<VerdictEvent, 'deploymentId' | 'lifecycleEvent'>): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe(string(event.deploymentId, 'event.deploymentId'))}-${safe(string(event.lifecycleEvent, 'event.lifecycleEvent'))}`;
}

/**
 * Checks a verdict event that crossed a boundary (the publish Task's state, a pending record, an
 * execution's history) before anything publishes it: the fields that name the verdict (its ledger key,
 * its report's key, the metric's dimensions) and the ones the metrics and the notification read. An
 * error names the field (issue 23 item 8: a missing `lifecycleEvent` was a raw TypeError).
 */
export function parseVerdictEvent(value: unknown, path = 'event'): VerdictEvent {
  const event = object(value, path);
  for (const field of ['deploymentId', 'lifecycleEvent', 'applicationName', 'deploymentGroupName', 'cause'] as const) string(event[field], `${path}.${field}`);
  oneOf(event.status, ['Succeeded', 'Failed', 'NotReported'] as const, `${path}.status`);
  oneOf(event.decision, ['pass', 'fail', 'error', 'inconclusive'] as const, `${path}.decision`);
  if (typeof event.reason !== 'string') throw new StateError(`${path}.reason: expected a string, got ${event.reason === null ? 'null' : typeof event.reason}`);
  boolean(event.dryRun, `${path}.dryRun`);
  if (event.override !== undefined && !overrideOutcomeOf(event.override)) throw new StateError(`${path}.override: expected { action, reason, by, requestedAt, honoured[, refused] }, got ${JSON.stringify(event.override).slice(0, 200)}`);
  const seconds = event.timeToVerdictSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new StateError(`${path}.timeToVerdictSeconds: expected a number of seconds, got ${JSON.stringify(seconds) ?? 'nothing'}`);
  return event as unknown as VerdictEvent;
}

const SINK_STEPS = { metrics: 'publishVerdictMetrics', event: 'publishVerdictEvent' } as const;

/**
 * The one place a verdict is made known (publish Tasks, reaper, sweep, canary watch): its report stored,
 * its metrics and its event published, its notification sent. With a ledger, each step already marked
 * done is skipped and each step is marked after it succeeded, so a retry or the sweep makes only the
 * steps still missing; the pending record is completed once none is. A failed sink step does not stop
 * the others; its error is rethrown at the end (the Task retries, or the sweep does). The notification
 * never throws (`notifyBestEffort`); one that failed stays pending for the sweep.
 */
export async function publishAndNotify(unchecked: VerdictEvent, source: NotificationSource, deps: PublishDependencies): Promise<void> {
  const event = parseVerdictEvent(unchecked);
  const key = publicationKey(event);
  const { ledger } = deps;
  // A ledger that cannot be read throws here: publishing blind could duplicate; a retry or the sweep comes back.
  const done = ledger ? await ledger.doneSteps(key) : new Set<PublicationStep>();
  let failure: unknown;
  let complete = true;
  const made = async (step: PublicationStep) => {
    if (!ledger) return;
    try {
      if ((await ledger.markDone(key, step)) === 'already-marked') deps.log.error('a verdict publication step was made twice (a concurrent publisher)', { key, step });
    } catch (error) {
      // The residual risk: the step is made but not marked, and the sweep will make it again. Not thrown,
      // so the Task does not retry it at once; the record stays pending.
      complete = false;
      deps.log.error('a verdict publication step is made but could not be marked done; the sweep may make it again', { key, step, error: (error as Error).message });
    }
  };
  // The report is stored (an overwrite of the same key) only while the event or the notification that link it are still to go.
  const stored = done.has('event') && done.has('notification') ? event : await withStoredReport(event, deps.reports, deps.log);
  for (const step of ['metrics', 'event'] as const) {
    if (done.has(step)) continue;
    try {
      await deps.sink[SINK_STEPS[step]](stored);
    } catch (error) {
      failure ??= error;
      continue;
    }
    await made(step);
  }
  if (!done.has('notification')) {
    // Not wanted is decided by the event and the switches alone, the same on every retry: nothing to mark.
    const result = await notifyBestEffort(stored, source, deps.notifications, deps);
    if (result === 'sent') await made('notification');
    if (result === 'failed') complete = false;
  }
  if (failure !== undefined) throw failure;
  if (complete) await ledger?.complete(key);
}
