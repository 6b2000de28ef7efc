/**
 * Which of a service's requests are selected to compare with the others (`GET
 * /api/v1/analysis/differences`): every constraint given must hold, and at least one is given.
 * Times are epoch milliseconds, durations milliseconds.
 */
export interface RequestSelection {
  readonly failed?: boolean | undefined;
  readonly minMs?: number | undefined;
  readonly maxMs?: number | undefined;
  /** Started in this sub-range of the window (a region brushed on the trace scatter). */
  readonly startFrom?: number | undefined;
  readonly startTo?: number | undefined;
  /** With this span or resource attribute value. */
  readonly attribute?: { readonly key: string; readonly value: string } | undefined;
}
