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
  /** Reasoning tokens: a part of `output` (priced with it), read only to say why spend moved. @default - not reported */
  readonly reasoning?: number;
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

/** How far before the canary's periods a time-shifted baseline was read, on which period grid (seconds). */
export interface TimeShift {
  readonly seconds: number;
  readonly periodSeconds: number;
}

/**
 * Why a metric's data is not complete at this look (e.g. "CloudWatch returned PartialData for …"): the
 * metric is not judged on it; it waits, and ends `inconclusive` with this reason if it is still so at
 * the deadline, whatever `onTimeout`/`onNoData` say. @default - complete
 */
interface MaybeIncomplete {
  readonly incomplete?: string;
}

export type MetricObservations =
  | ({
      readonly kind: 'count';
      readonly baseline: readonly CountPeriod[];
      readonly canary: readonly CountPeriod[];
      /**
       * Set when the baseline is not concurrent (the bake): its periods were read `seconds` earlier and
       * their `t` moved forward onto the canary's periods. The rate comparison is then calibrated on
       * `baselineHistory` (`lib/judge/time-shift`), since a level change between then and now does not cancel.
       * @default - the arms are concurrent
       */
      readonly timeShift?: TimeShift;
      /**
       * With `timeShift`: the baseline's own periods before the judged window (oldest first, `t` moved
       * forward like the baseline's), from which the comparison learns how far the rate moves over `seconds`.
       * @default - none (a time-shifted comparison cannot be calibrated and does not decide)
       */
      readonly baselineHistory?: readonly CountPeriod[];
    } & MaybeIncomplete)
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
      /**
       * The canary arm's own periods before the deployment, on the baseline history's times (oldest
       * first), where the arms are hosts or host groups whose metric existed before the new version
       * (not a version dimension born with the deployment). With `baselineHistory`, Mann–Whitney's
       * `autocorrelation: adjust` calibrates the difference between the two arms on how they differed
       * before (`lib/judge/paired-history.ts`): two different hosts are not two draws of one process.
       * @default - none (the arms are assumed to differ only as the baseline's own windows do)
       */
      readonly canaryHistory?: readonly GaugePeriod[];
    } & MaybeIncomplete)
  | ({
      readonly kind: 'tokens';
      readonly baseline: readonly TokensPeriod[];
      readonly canary: readonly TokensPeriod[];
      /**
       * The bake: the baseline arm is the current version before the deployment, and the canary has all the
       * traffic (the budget gate then takes the canary's spend as the full-traffic spend). @default false
       */
      readonly baselineFromBefore?: boolean;
    } & MaybeIncomplete)
  | { readonly kind: 'alarm'; readonly alarms: readonly AlarmObservation[] };

/** Observations of every metric of a policy, by metric name. */
export type Observations = Readonly<Record<string, MetricObservations>>;

/** The observation kind each metric kind is judged on. */
export const OBSERVATION_KIND_OF_METRIC = { count: 'count', gauge: 'gauge', cost: 'tokens', alarm: 'alarm' } as const;
