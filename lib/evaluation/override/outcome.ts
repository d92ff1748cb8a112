import type { Json } from '../check';

/** What on call can tell a running evaluation (lib/evaluation/override/record.ts). */
export const OVERRIDE_ACTIONS = ['skip', 'promote', 'rollback'] as const;
export type OverrideAction = (typeof OVERRIDE_ACTIONS)[number];

/**
 * What became of an override, as the tick, the verdict event, the report and the notification carry
 * it: honoured, or refused and why. `by` is the ARN STS vouched for when honoured; the ARN the record
 * claims when it was refused (it may be unverified then, and `refused` says so).
 */
export interface OverrideOutcome {
  readonly action: OverrideAction;
  readonly reason: string;
  readonly by: string;
  readonly requestedAt: string;
  readonly honoured: boolean;
  /** Why it was not honoured. */
  readonly refused?: string;
}

/** Lenient: an outcome read back from state or an event; anything malformed is no outcome (it never blocks a report). */
export function overrideOutcomeOf(value: unknown): OverrideOutcome | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Json;
  if (!(OVERRIDE_ACTIONS as readonly unknown[]).includes(o.action) || typeof o.reason !== 'string' || typeof o.by !== 'string' || typeof o.requestedAt !== 'string' || typeof o.honoured !== 'boolean') return undefined;
  return { action: o.action as OverrideAction, reason: o.reason, by: o.by, requestedAt: o.requestedAt, honoured: o.honoured, ...(typeof o.refused === 'string' ? { refused: o.refused } : {}) };
}

const ACTION_WORDS: Record<OverrideAction, string> = { skip: 'skip (reported without judging)', promote: 'promote', rollback: 'rollback' };

/** The override in plain words, as every view says it: "Overridden by arn:… : promote — reason". */
export function overrideWords(outcome: OverrideOutcome): string {
  if (outcome.honoured) return `Overridden by ${outcome.by}: ${ACTION_WORDS[outcome.action]} — ${outcome.reason}`;
  return `Override refused (${outcome.refused ?? 'not honoured'}): ${outcome.by} asked to ${outcome.action} — ${outcome.reason}`;
}
