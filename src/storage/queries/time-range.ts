import { fields } from '../../contracts/fields.ts';
import type { TimeRange } from '../../contracts/time-range.ts';

export const rangeFilter = (field: string, range: TimeRange) => ({
  range: {
    [field]: {
      gte: new Date(range.from).toISOString(),
      lt: new Date(range.to).toISOString(),
    },
  },
});

/**
 * A range filter on `field` from `gte` to `lte`, each bound optional; undefined when both are
 * unset (no filter at all, rather than an empty range).
 */
export const boundsFilter = (
  field: string,
  gte: string | number | undefined,
  lte: string | number | undefined,
) =>
  gte === undefined && lte === undefined
    ? undefined
    : {
        range: {
          [field]: { ...(gte !== undefined && { gte }), ...(lte !== undefined && { lte }) },
        },
      };

/**
 * Time buckets that start exactly at `range.from` (not at epoch multiples of the interval) and
 * cover the range, empty ones included. `extended_bounds.max` is the start of the last bucket:
 * a later value (even `to - 1`) makes Elasticsearch add an empty bucket starting at `to`.
 */
export const timeBuckets = (range: TimeRange, intervalMs: number) => {
  const lastStart = range.from + Math.floor((range.to - 1 - range.from) / intervalMs) * intervalMs;
  return {
    date_histogram: {
      field: fields.timestamp,
      fixed_interval: `${intervalMs}ms`,
      offset: `${range.from % intervalMs}ms`,
      min_doc_count: 0,
      extended_bounds: { min: range.from, max: lastStart },
    },
  };
};
