import { errors } from '@elastic/elasticsearch';

/** True when Elasticsearch could not be reached or did not answer in time. */
export function isElasticsearchUnavailable(error: unknown): boolean {
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.TimeoutError ||
    (error instanceof errors.ResponseError &&
      (error.statusCode === 503 || error.statusCode === 429))
  );
}
