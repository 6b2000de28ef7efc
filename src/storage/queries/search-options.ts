import { MIN_FAILED_HTTP_STATUS } from '../../contracts/failed-request.ts';
import { fields } from '../../contracts/fields.ts';

/**
 * Reads span and log indices that may not exist yet (a fresh cluster, a day without data):
 * no index is an empty answer, not an error.
 */
export const lenient = { ignore_unavailable: true, allow_no_indices: true } as const;

/** One bucket per service. */
export const byService = { terms: { field: fields.serviceName, size: 1000 } } as const;

/** A failed request (contracts/failed-request.ts), as a filter on server spans. */
export const failedRequest = {
  bool: {
    should: [
      { term: { [fields.span.status]: 2 } },
      ...fields.span.httpStatuses.map((field) => ({
        range: { [field]: { gte: MIN_FAILED_HTTP_STATUS } },
      })),
    ],
    minimum_should_match: 1,
  },
};
