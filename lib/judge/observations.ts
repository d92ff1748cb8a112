/**
 * What the judge sees: per metric, per arm, one entry per complete period.
 * `t` is the period start in epoch seconds. Periods without traffic are absent, never zero:
 * "no requests" is not "no errors".
 */
export interface CountPeriod {
  readonly t: number;
  /** Events in the period (errors, slow requests, tokens…). */
  readonly count: number;
  /** Requests in the period (the exposure). */
  readonly total: number;
}

export interface GaugePeriod {
  readonly t: number;
  readonly value: number;
}

export type Arm = 'baseline' | 'canary';

export type MetricObservations =
  | { readonly kind: 'count'; readonly baseline: readonly CountPeriod[]; readonly canary: readonly CountPeriod[] }
  | { readonly kind: 'gauge'; readonly baseline: readonly GaugePeriod[]; readonly canary: readonly GaugePeriod[] };

/** Observations of every metric of a policy, by metric name. */
export type Observations = Readonly<Record<string, MetricObservations>>;
