/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}
