import { useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiFailure | undefined;
  readonly loading: boolean;
}

/**
 * Loads with `load` whenever `key` changes, and again every `refreshMs` when given (the
 * overview's auto-refresh). Data stays on screen while a refresh runs or fails.
 */
export function useData<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  useEffect(() => {
    let live = true;
    const run = (): void => {
      load().then(
        (data) => {
          if (live) setState({ data, error: undefined, loading: false });
        },
        (error: unknown) => {
          const failure = error instanceof ApiFailure ? error : new ApiFailure(0, String(error));
          if (!live) return; // a request of a page already left (a late 401 must not clear a new token)
          setState((previous) => ({ ...previous, error: failure, loading: false }));
          if (failure.status === 401) dispatchEvent(new Event('lantern:unauthorized'));
        },
      );
    };
    run();
    const timer = refreshMs === undefined ? undefined : setInterval(run, refreshMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
    // `load` is a new function every render; `key` says when what it loads changed.
  }, [key, refreshMs]);
  return state;
}
