import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boundedShutdown } from '../../src/tracing/shutdown.ts';

/** What the bootstrap wrote to stderr during the test. */
const lines: string[] = [];
beforeEach(() => {
  vi.useFakeTimers();
  lines.length = 0;
  vi.spyOn(process.stderr, 'write').mockImplementation((line) => lines.push(String(line)) > 0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the bootstrap shutdown', () => {
  it('runs once however often it is called, and every caller waits for that one run', async () => {
    let finish = (): void => undefined;
    const stop = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    const shutdown = boundedShutdown(stop, 5000);
    const first = shutdown();
    const second = shutdown();
    expect(second).toBe(first);
    let settled = false;
    void first.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    finish();
    await first;
    await shutdown();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('gives up on a flush that hangs once the timeout has passed, and says so', async () => {
    const shutdown = boundedShutdown(() => new Promise<void>(() => undefined), 300);
    let settled = false;
    void shutdown().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(lines).toContainEqual(
      '[lantern] flushing telemetry took longer than 300 ms; giving up\n',
    );
  });

  it('never rejects: a failed stop, even one that throws at once, is reported', async () => {
    await expect(
      boundedShutdown(() => Promise.reject(new Error('exporter broke')), 300)(),
    ).resolves.toBeUndefined();
    await expect(
      boundedShutdown(() => {
        throw new Error('thrown at once');
      }, 300)(),
    ).resolves.toBeUndefined();
    expect(lines).toContainEqual('[lantern] shutdown failed: Error: exporter broke\n');
    expect(lines).toContainEqual('[lantern] shutdown failed: Error: thrown at once\n');
  });
});
