import { z } from 'zod';
import { formatSeconds, MAX_DURATION_SECONDS } from './limits';

const DURATION_PATTERN = /^(\d+)(s|m|h)$/;
const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * A duration written as whole seconds (`90`) or with a unit (`"90s"`, `"15m"`, `"1h"`), at most one
 * hour (nothing in a one-hour CodeDeploy hook lasts longer; an unbounded value such as
 * `99999999999999999999h` would otherwise collapse the evaluation window to nothing).
 * Parsed to seconds so every consumer works in one unit.
 */
export const durationSchema = z
  .union([
    z.number().int().positive().max(MAX_DURATION_SECONDS, `expected at most ${formatSeconds(MAX_DURATION_SECONDS)}: nothing in a one-hour hook lasts longer`),
    z.string().regex(DURATION_PATTERN, 'expected a duration such as "60s", "15m" or "1h"'),
  ])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = DURATION_PATTERN.exec(value)!;
    const seconds = Number(amount) * SECONDS_PER_UNIT[unit];
    if (!(seconds > 0) || seconds > MAX_DURATION_SECONDS) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is ${seconds > 0 ? 'longer than' : 'not within'} 1s–1h: nothing in a one-hour hook lasts longer` });
      return z.NEVER;
    }
    return seconds;
  });
