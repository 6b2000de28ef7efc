import { describe, expect, it } from 'vitest';
import {
  runningPid,
  startDaemon,
  stopDaemon,
  waitUntilHealthy,
} from '../../../tools/stack/daemon.ts';

describe('daemons of the stack', () => {
  it('fails fast with the log tail when a server exits during start-up', async () => {
    const pid = startDaemon({
      name: 'test-crasher',
      command: 'sh',
      args: ['-c', 'echo "fatal: cannot bind data dir"; exit 3'],
      signature: 'cannot bind',
    });
    const started = Date.now();
    await expect(
      waitUntilHealthy('test-crasher', pid, () => Promise.resolve(false), 60_000),
    ).rejects.toThrow(/test-crasher exited during start-up[\s\S]*fatal: cannot bind data dir/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('tracks a running server by pid and stops its whole process group', async () => {
    startDaemon({
      name: 'test-sleeper',
      command: 'sh',
      args: ['-c', 'sleep 60 & sleep 61; wait'],
      signature: 'sleep 61',
    });
    const pid = runningPid('test-sleeper');
    expect(pid).toBeTypeOf('number');
    expect(await stopDaemon('test-sleeper', 5000)).toBe(true);
    expect(runningPid('test-sleeper')).toBeUndefined();
    expect(() => process.kill(-(pid ?? 0), 0)).toThrow();
  });
});
