import type { ApiFailure } from '../api.ts';

/** What went wrong, in words: the API's own message, or that it does not answer. */
export function Problem({ error }: { error: ApiFailure | undefined }) {
  if (!error) return null;
  const what =
    error.status === 503
      ? 'Elasticsearch is unreachable — figures will come back when it does.'
      : error.status === 0
        ? 'The analysis service does not answer.'
        : error.message;
  return (
    <div class="banner" role="alert" data-problem={error.status === 503 ? 'elasticsearch' : 'api'}>
      {what}
      {error.status === 503 ? <small> ({error.message})</small> : null}
    </div>
  );
}
