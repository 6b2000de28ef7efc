/**
 * Flushes telemetry when the process is asked to stop, without changing how it stops:
 * - SIGTERM / SIGINT: if the host has its own handler, it keeps control and we only flush
 *   alongside it; if not, we flush and then re-raise the signal so the process ends exactly as
 *   it would have without Lantern.
 * - beforeExit (the event loop ran dry): flush once.
 */
export function flushOnExit(shutdown: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, onSignal);
  }
  process.once('beforeExit', () => {
    void shutdown();
  });
}
