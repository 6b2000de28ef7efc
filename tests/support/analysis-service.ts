import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';

/**
 * The analysis service as users start it (`bin/analysis.ts`), evaluating every second over
 * windows that end 3 s ago (fast enough for a test to watch alerts move); `env` adds to or
 * overrides that.
 */
export function startAnalysis(env: Readonly<Record<string, string>>): Promise<RunningApp> {
  return startApp({
    loader: 'none',
    script: 'bin/analysis.ts',
    service: 'analysis',
    env: { LANTERN_EVAL_INTERVAL: '1s', LANTERN_QUERY_OFFSET: '3s', ...env },
  });
}
