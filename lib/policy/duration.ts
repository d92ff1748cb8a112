import { z } from 'zod';

const DURATION_PATTERN = /^(\d+)(s|m|h)$/;
const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * A duration written as whole seconds (`90`) or with a unit (`"90s"`, `"15m"`, `"1h"`).
 * Parsed to seconds so every consumer works in one unit.
 */
export const durationSchema = z
  .union([
    z.number().int().positive(),
    z.string().regex(DURATION_PATTERN, 'expected a duration such as "60s", "15m" or "1h"'),
  ])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = DURATION_PATTERN.exec(value)!;
    return Number(amount) * SECONDS_PER_UNIT[unit];
  });
