import type { ErrorRequestHandler } from 'express';
import { isElasticsearchUnavailable } from '../storage/unavailable.ts';

/** An error the API answers with `{ "error": { code, message } }` and its status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The answer when Elasticsearch is down, or (for /readyz) does not let us in: 503 with the reason. */
export function elasticsearchUnavailable(error: unknown): ApiError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(503, 'elasticsearch_unavailable', `Elasticsearch is unavailable: ${reason}`);
}

/** Maps every error to the API's error shape; Elasticsearch being down is a 503 with the reason. */
export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (thrown: unknown, _req, res, _next) => {
    const error = isElasticsearchUnavailable(thrown) ? elasticsearchUnavailable(thrown) : thrown;
    if (error instanceof ApiError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    if (
      typeof error === 'object' &&
      error !== null &&
      'type' in error &&
      error.type === 'entity.parse.failed'
    ) {
      res
        .status(400)
        .json({ error: { code: 'bad_request', message: 'the request body is not valid JSON' } });
      return;
    }
    log(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'internal error; see the service log' } });
  };
}
