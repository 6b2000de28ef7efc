import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackPaths } from '../../../tools/stack/paths.ts';
import {
  runningPid,
  startDaemon,
  stopDaemon,
  waitUntilHealthy,
} from '../../../tools/stack/daemon.ts';

/** A stack state folder of the test's own: pid files and logs land there. */
const paths = stackPaths({ LANTERN_STATE_DIR: mkdtempSync(join(tmpdir(), 'lantern-daemon-')) });

describe('daemons of the stack', () => {
  it('fails fast with the log tail when a server exits during start-up', async () => {
    const pid = startDaemon(paths, {
      name: 'test-crasher',
      command: 'sh',
      args: ['-c', 'echo "fatal: cannot bind data dir"; exit 3'],
      signature: 'cannot bind',
    });
    const started = Date.now();
    await expect(
      waitUntilHealthy(paths, 'test-crasher', pid, () => Promise.resolve(false), 60_000),
    ).rejects.toThrow(/test-crasher exited during start-up[\s\S]*fatal: cannot bind data dir/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('tracks a running server by pid and stops its whole process group', async () => {
    startDaemon(paths, {
      name: 'test-sleeper',
      command: 'sh',
      args: ['-c', 'sleep 60 & sleep 61; wait'],
      signature: 'sleep 61',
    });
    const pid = runningPid(paths, 'test-sleeper');
    expect(pid).toBeTypeOf('number');
    // Another stack's run folder holds no pid of it.
    expect(runningPid(stackPaths({ LANTERN_STATE_DIR: tmpdir() }), 'test-sleeper')).toBeUndefined();
    expect(await stopDaemon(paths, 'test-sleeper', 5000)).toBe(true);
    expect(runningPid(paths, 'test-sleeper')).toBeUndefined();
    expect(() => process.kill(-(pid ?? 0), 0)).toThrow();
  });
});
