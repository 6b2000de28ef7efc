import { MIN_FAILED_HTTP_STATUS } from '../../contracts/failed-request.ts';
import { fields, SERVER_KIND } from '../../contracts/fields.ts';

/**
 * Reads span and log indices that may not exist yet (a fresh cluster, a day without data):
 * no index is an empty answer, not an error.
 */
export const lenient = { ignore_unavailable: true, allow_no_indices: true } as const;

/**
 * Elasticsearch refuses a search that makes more than search.max_buckets (65,536 by default)
 * buckets. Every aggregation Lantern builds sizes its pages (or its latency buckets) so that its
 * buckets, the groups themselves counted, stay under this: one budget, with room to spare for a
 * shard's estimate being a little over.
 */
export const BUCKET_BUDGET = 60_000;

/** Requests a bucket of spans stands for: the sum of their sampling weights (none counts 1). */
export const weightSum = { sum: { field: fields.span.samplingWeight, missing: 1 } } as const;

/** Σ weight and Σ weight² of a bucket's spans (none counts 1): `sum` and `sum_of_squares`. */
export const weightSpread = {
  extended_stats: { field: fields.span.samplingWeight, missing: 1 },
} as const;

/** The earliest record or span of a bucket. */
export const earliest = { min: { field: fields.timestamp } } as const;

/** One bucket per service. */
export const byService = { terms: { field: fields.serviceName, size: 1000 } } as const;

/**
 * A failed request (contracts/failed-request.ts), whole: a server span with status ERROR or an
 * HTTP status of 500 and up. The span kind is part of it, so no caller can forget it.
 */
export const failedRequest = {
  bool: {
    filter: [{ term: { [fields.span.kind]: SERVER_KIND } }],
    should: [
      { term: { [fields.span.status]: 2 } },
      ...fields.span.httpStatuses.map((field) => ({
        range: { [field]: { gte: MIN_FAILED_HTTP_STATUS } },
      })),
    ],
    minimum_should_match: 1,
  },
};
