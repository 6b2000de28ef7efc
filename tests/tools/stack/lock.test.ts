import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withLock } from '../../../tools/stack/lock.ts';

describe('withLock', () => {
  it('runs two holders one after the other, never together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-lock-'));
    const events: string[] = [];
    const holder = (name: string) =>
      withLock(dir, name, async () => {
        events.push(`${name} in`);
        await sleep(300);
        events.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toHaveLength(4);
    expect(events[0]?.endsWith('in')).toBe(true);
    expect(events[1]?.endsWith('out')).toBe(true);
    expect(events[0]?.[0]).toBe(events[1]?.[0]);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-lock-'));
    writeFileSync(join(dir, 'stack.lock'), '999999999');
    await expect(withLock(dir, 'up', () => Promise.resolve('ran'), 2000)).resolves.toBe('ran');
  });

  it('gives up with the holder named when the lock is held too long', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-lock-'));
    writeFileSync(join(dir, 'stack.lock'), String(process.pid));
    await expect(withLock(dir, 'up', () => Promise.resolve(), 500)).rejects.toThrow(
      `pid ${process.pid}`,
    );
  });
});
