import type { MetricDefinition } from '../policy';

/** What every method gets besides its observations. */
export interface MethodContext {
  /** Level for methods that test (sequential, mann-whitney, cost). */
  readonly alpha: number;
  readonly deadlineReached: boolean;
}

export type MetricOfKind<K extends MetricDefinition['kind']> = Extract<MetricDefinition, { kind: K }>;
export type MethodOf<T extends MetricDefinition['method']['type']> = Extract<MetricDefinition['method'], { type: T }>;
