import { StateError } from './check';

/** What an evaluation may be notified for. */
export type NotifyWhen = 'rollback' | 'inconclusive';

/** When to notify: a list of occasions, or `every-verdict` (passes too). */
export type NotifyOn = readonly NotifyWhen[] | 'every-verdict';

export const DEFAULT_NOTIFY_ON: NotifyOn = ['rollback', 'inconclusive'];

const OCCASIONS: readonly NotifyWhen[] = ['rollback', 'inconclusive'];

/** Reads `on` (a registration's switch or the evaluator's `NOTIFY_ON`), naming what is wrong and where. */
export function parseNotifyOn(value: unknown, path: string): NotifyOn {
  if (value === 'every-verdict') return value;
  if (Array.isArray(value) && value.every((item) => OCCASIONS.includes(item as NotifyWhen))) return value as NotifyWhen[];
  throw new StateError(`${path}: expected "every-verdict" or a list of ${OCCASIONS.map((o) => `"${o}"`).join(', ')}, got ${JSON.stringify(value)}`);
}
