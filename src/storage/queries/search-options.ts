import { fields } from '../indices.ts';

/**
 * Reads span and log indices that may not exist yet (a fresh cluster, a day without data):
 * no index is an empty answer, not an error.
 */
export const lenient = { ignore_unavailable: true, allow_no_indices: true } as const;

/** One bucket per service. */
export const byService = { terms: { field: fields.serviceName, size: 1000 } } as const;

/** A request that failed: span status ERROR, or an HTTP status of 500 and above. */
export const failedRequest = {
  bool: {
    should: [
      { term: { [fields.span.status]: 2 } },
      { range: { [fields.span.httpStatus]: { gte: 500 } } },
    ],
    minimum_should_match: 1,
  },
};
