/**
 * What the judge sees: per metric, per arm, one entry per complete period.
 * `t` is the period start in epoch seconds, strictly increasing within an arm. Periods without
 * traffic are absent, never zero: "no requests" is not "no errors". An empty arm means "no data yet"
 * (the metric decides `nodata`); a missing arm is an error.
 */
export interface CountPeriod {
  readonly t: number;
  /** Events in the period (errors, slow requests…): 0 ≤ count ≤ total. */
  readonly count: number;
  /** Requests in the period (the exposure). */
  readonly total: number;
}

export interface GaugePeriod {
  readonly t: number;
  readonly value: number;
}

/** Token use of one arm in one period (counts of tokens, not USD). */
export interface TokensPeriod {
  readonly t: number;
  readonly requests: number;
  readonly input: number;
  readonly output: number;
  /** @default 0 */
  readonly cacheRead?: number;
  /** @default 0 */
  readonly cacheWrite?: number;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A state an alarm was seen in during the evaluation window (several entries per alarm allowed). */
export interface AlarmObservation {
  readonly name: string;
  readonly state: AlarmState;
  /** When the state was seen, epoch seconds (informational). */
  readonly t?: number;
}

export type Arm = 'baseline' | 'canary';

/**
 * Why a metric's data is not complete at this look (e.g. "CloudWatch returned PartialData for …"): the
 * metric is not judged on it; it waits, and ends `inconclusive` with this reason if it is still so at
 * the deadline, whatever `onTimeout`/`onNoData` say. @default - complete
 */
interface MaybeIncomplete {
  readonly incomplete?: string;
}

export type MetricObservations =
  | ({ readonly kind: 'count'; readonly baseline: readonly CountPeriod[]; readonly canary: readonly CountPeriod[] } & MaybeIncomplete)
  | ({
      readonly kind: 'gauge';
      readonly baseline: readonly GaugePeriod[];
      readonly canary: readonly GaugePeriod[];
      /**
       * The baseline's own periods before the judged window (oldest first): what Mann–Whitney's
       * `autocorrelation: adjust` estimates serial correlation from, beside the window.
       * @default - none (the estimate comes from the window alone)
       */
      readonly baselineHistory?: readonly GaugePeriod[];
    } & MaybeIncomplete)
  | ({ readonly kind: 'tokens'; readonly baseline: readonly TokensPeriod[]; readonly canary: readonly TokensPeriod[] } & MaybeIncomplete)
  | { readonly kind: 'alarm'; readonly alarms: readonly AlarmObservation[] };

/** Observations of every metric of a policy, by metric name. */
export type Observations = Readonly<Record<string, MetricObservations>>;

/** The observation kind each metric kind is judged on. */
export const OBSERVATION_KIND_OF_METRIC = { count: 'count', gauge: 'gauge', cost: 'tokens', alarm: 'alarm' } as const;
