import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.ts';
import { step } from './progress.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs `work` while holding an exclusive lock file in `dir`: two `stack:up` (say, `npm start` and
 * a test run) starting servers at once would each write pid files for the other's processes and
 * leave orphans. A lock left by a process that died is taken over.
 */
export async function withLock<T>(
  dir: string,
  what: string,
  work: () => Promise<T>,
  timeoutMs = 20 * 60_000,
): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'stack.lock');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim() || 0);
      if (!holder || !alive(holder)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new StackError(`${what}: another stack command (pid ${holder}) still holds ${path}`);
      }
      if (!told) step('stack', `waiting for another stack command (pid ${holder}) to finish`);
      told = true;
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
