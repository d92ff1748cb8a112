import { z } from 'zod';
import { MAX_DURATION_SECONDS } from './limits';

const DURATION_PATTERN = /^(\d+)(s|m|h)$/;
const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };
const EXPECTED = 'expected a duration with a unit, such as "60s", "2m", "15m" or "1h"';

/** Issue 25 item 4: `metricLag: 2` read as two seconds judged CloudWatch minutes not yet complete. */
function noUnit(amount: string | number): string {
  return `${JSON.stringify(amount)} has no unit: write "${amount}m" for minutes or "${amount}s" for seconds ("2m", "90s", "1h"); a bare number reads as seconds to some people and as minutes to others`;
}

/**
 * A duration written with its unit (`"90s"`, `"15m"`, `"1h"`), at most 24 hours (no hook waits longer:
 * `MAX_DURATION_SECONDS`; an unbounded value such as `99999999999999999999h` would otherwise collapse the
 * evaluation window to nothing). Whether it fits the hook's deadline is the time rules' check (fit.ts). A bare number is refused, not guessed. Parsed to seconds
 * so every consumer works in one unit.
 */
export const durationSchema = z
  .string({ error: (issue) => (typeof issue.input === 'number' ? noUnit(issue.input) : EXPECTED) })
  .regex(DURATION_PATTERN, { error: (issue) => (typeof issue.input === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(issue.input) ? noUnit(issue.input.trim()) : EXPECTED) })
  .transform((value, ctx) => {
    const [, amount, unit] = DURATION_PATTERN.exec(value)!;
    const seconds = Number(amount) * SECONDS_PER_UNIT[unit];
    if (!(seconds > 0) || seconds > MAX_DURATION_SECONDS) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is ${seconds > 0 ? 'longer than' : 'not within'} 1s–24h: no hook waits longer (an Amazon ECS hook's longest timeout is 1,440 minutes; a CodeDeploy hook's is an hour)` });
      return z.NEVER;
    }
    return seconds;
  });

/** A duration in seconds as a policy writes it: `"2m"`, `"90s"`, `"1h"`. */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
