import { warnOnce } from './diagnostics.ts';

/**
 * Makes `stop` safe to call any number of times and bounded in time: the first call starts it,
 * every call gets the same promise, which never rejects and settles by `timeoutMs` even when
 * flushing hangs (a dead Collector must not hold the host's exit). The timer does not keep the
 * process alive.
 */
export function boundedShutdown(stop: () => Promise<void>, timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        warnOnce(`flushing telemetry took longer than ${timeoutMs} ms; giving up`);
        resolve();
      }, timeoutMs);
      timer.unref();
    });
    // A stop that throws at once is a failed shutdown like one that rejects.
    const stopped = new Promise<void>((resolve) => {
      resolve(stop());
    }).catch((error: unknown) => {
      warnOnce(`shutdown failed: ${String(error)}`);
    });
    await Promise.race([stopped, timeout]);
    clearTimeout(timer);
  };
  return () => (stopping ??= run());
}
