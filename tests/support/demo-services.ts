import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';

/** The demo's two services, as a user runs them. */
export interface DemoServices {
  readonly backend: RunningApp;
  readonly frontend: RunningApp;
}

/**
 * The demo's frontend calling its backend, both healthy and under the bootstrap (`--import
 * lantern/register`), as a user starts them. Each is pushed onto `apps` as soon as it runs, so
 * the caller's cleanup stops it even when the other fails to start.
 */
export async function startDemoServices(
  names: { readonly frontend: string; readonly backend: string },
  apps: RunningApp[],
): Promise<DemoServices> {
  const backend = await startApp({
    loader: '--import',
    script: 'demo/backend.mjs',
    service: names.backend,
    env: { DEMO_ERROR_RATE: '0' },
  });
  apps.push(backend);
  const frontend = await startApp({
    loader: '--import',
    script: 'demo/frontend.mjs',
    service: names.frontend,
    env: { DEMO_ERROR_RATE: '0', BACKEND_URL: backend.url },
  });
  apps.push(frontend);
  return { backend, frontend };
}

/**
 * Steady traffic to the demo's frontend, which calls its backend for each: five checkouts at
 * once, then 100 ms, until `stop()`. A refused request counts as nothing.
 */
export function demoTraffic(frontend: RunningApp): { stop: () => void } {
  const stopped = new AbortController();
  void (async () => {
    while (!stopped.signal.aborted) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const response = await fetch(`${frontend.url}/checkout/sku-${i}`).catch(() => undefined);
          await response?.arrayBuffer();
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: () => {
      stopped.abort();
    },
  };
}
