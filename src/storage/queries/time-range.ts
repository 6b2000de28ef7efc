import { fields } from '../indices.ts';

/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export const rangeFilter = (field: string, range: TimeRange) => ({
  range: {
    [field]: {
      gte: new Date(range.from).toISOString(),
      lt: new Date(range.to).toISOString(),
    },
  },
});

/**
 * Time buckets that start exactly at `range.from` (not at epoch multiples of the interval) and
 * cover the range, empty ones included. Elasticsearch may add an empty bucket at `range.to`:
 * drop it with {@link insideRange}.
 */
export const timeBuckets = (range: TimeRange, intervalMs: number) => ({
  date_histogram: {
    field: fields.timestamp,
    fixed_interval: `${intervalMs}ms`,
    offset: `${range.from % intervalMs}ms`,
    min_doc_count: 0,
    extended_bounds: { min: range.from, max: range.to - 1 },
  },
});

/** Keeps the buckets (keyed by start, epoch ms) that start inside the range. */
export const insideRange = <T extends { key: string }>(buckets: T[], range: TimeRange): T[] =>
  buckets.filter((bucket) => Number(bucket.key) < range.to);
