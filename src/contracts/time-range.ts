/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The time-bucket width that gives about 60 buckets over the range, in whole seconds: what a
 * chart uses unless asked for another, and what deploys are detected in (the deploys list and
 * the faulty-deployment rule read one set of deploys from it).
 */
export const defaultInterval = (range: TimeRange): number =>
  Math.max(1000, Math.ceil((range.to - range.from) / 60 / 1000) * 1000);
