/**
 * What a failed request is, the one definition that error rates count. The bootstrap's sampler,
 * the Collector's policies (otel-collector.yaml) and the storage queries all derive from it.
 *
 * A failed request is a server span with status ERROR, or an HTTP server response of 500 and up.
 * An error trace (which the sampler keeps 100%) is broader: any span with status ERROR or an
 * exception event, or a failed request. So every failed request's trace is kept.
 */

/** HTTP responses from this status up are failures (4xx are the caller's mistake). */
export const MIN_FAILED_HTTP_STATUS = 500;

/** Where a span keeps its HTTP response status: current semantic conventions, then the old. */
export const HTTP_STATUS_ATTRIBUTES = ['http.response.status_code', 'http.status_code'] as const;

/** What the definition looks at on a server span. */
export interface RequestOutcome {
  readonly statusIsError: boolean;
  readonly httpStatus: number | undefined;
}

export function isFailedRequest(outcome: RequestOutcome): boolean {
  return (
    outcome.statusIsError ||
    (outcome.httpStatus !== undefined && outcome.httpStatus >= MIN_FAILED_HTTP_STATUS)
  );
}
