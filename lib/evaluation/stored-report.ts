import { REPORT_STORE } from './contracts';
import type { ReportStore, VerdictEvent } from './ports';

/** The report store and the renderer (the evaluation layer renders nothing itself: the wiring passes `lib/report`'s). */
export interface ReportWriter {
  readonly store: ReportStore;
  readonly render: (event: VerdictEvent) => string;
}

/** The S3 key of an evaluation's report: one per deployment and lifecycle event. */
export function reportKey(event: Pick<VerdictEvent, 'applicationName' | 'deploymentGroupName' | 'deploymentId' | 'lifecycleEvent'>): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${REPORT_STORE.prefix}${safe(event.applicationName)}/${safe(event.deploymentGroupName)}/${safe(event.deploymentId)}-${safe(event.lifecycleEvent)}.html`;
}

/**
 * Writes the report of the verdict CodeDeploy accepted and returns the event linking it. Best effort:
 * a report that cannot be written is logged and the verdict is published without its link.
 */
export async function withStoredReport(event: VerdictEvent, writer: ReportWriter | undefined, log: { error(message: string, details: Record<string, unknown>): void }): Promise<VerdictEvent> {
  if (!writer) return event;
  try {
    const { url } = await writer.store.put(reportKey(event), writer.render(event));
    return { ...event, reportUrl: url };
  } catch (error) {
    log.error('could not write the evaluation report; the verdict is published without it', { error: (error as Error).message });
    return event;
  }
}
