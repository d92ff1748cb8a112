import type { PendingPublication, PublicationLedger, PublicationStep } from '../evaluation/ports';

/**
 * The publication ledger in memory, as the S3 one behaves: a marker or a pending record, once created,
 * is never overwritten (the first stands); a completed record is no longer listed, its markers stay.
 */
export class InMemoryPublicationLedger implements PublicationLedger {
  private readonly done = new Map<string, Set<PublicationStep>>();
  private readonly pending = new Map<string, PendingPublication>();

  async doneSteps(key: string): Promise<ReadonlySet<PublicationStep>> {
    return new Set(this.done.get(key) ?? []);
  }

  async markDone(key: string, step: PublicationStep): Promise<'marked' | 'already-marked'> {
    const steps = this.done.get(key) ?? new Set<PublicationStep>();
    this.done.set(key, steps);
    if (steps.has(step)) return 'already-marked';
    steps.add(step);
    return 'marked';
  }

  async recordPending(record: PendingPublication): Promise<PendingPublication> {
    const standing = this.pending.get(record.key);
    if (standing) return standing;
    this.pending.set(record.key, record);
    return record;
  }

  async listPending(): Promise<{ records: readonly PendingPublication[]; unreadable: readonly string[] }> {
    return { records: [...this.pending.values()], unreadable: [] };
  }

  async complete(key: string): Promise<void> {
    this.pending.delete(key);
  }
}
