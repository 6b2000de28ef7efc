import { describe, expect, it } from 'vitest';
import { RateAllocator } from '../../../src/tracing/sampler/rate-allocator.ts';

/**
 * Simulates candidate traces of one key at `rate`/s for `seconds`; returns the expected kept per
 * second (the sum of keep probabilities: deterministic, unlike drawing random numbers).
 */
function run(
  allocator: RateAllocator,
  clock: { now: number },
  key: string,
  rate: number,
  seconds: number,
) {
  let kept = 0;
  const step = 1000 / rate;
  const end = clock.now + seconds * 1000;
  for (; clock.now < end; clock.now += step) {
    kept += allocator.probability(key);
    allocator.record(key);
  }
  return kept / seconds;
}

const newAllocator = (clock: { now: number }, target: number, maxKeys = 100) =>
  new RateAllocator({
    targetPerSecond: target,
    intervalMs: 1000,
    smoothing: 0.5,
    maxKeys,
    now: () => clock.now,
  });

describe('RateAllocator (fake clock)', () => {
  it('keeps near the target from the first second: keys with no rate yet share a budget', () => {
    // 100/s, 20× a target of 5/s. Before the shared budget every trace of that first second was
    // kept (100); now about target + target·ln(n / target) ≈ 10.
    const clock = { now: 0 };
    const firstSecond = run(newAllocator(clock, 5), clock, 'GET /a', 100, 1);
    expect(firstSecond).toBeGreaterThanOrEqual(5);
    expect(firstSecond).toBeLessThan(11);
    // A hundred new routes in one second (each its own key) share that one budget too.
    const routes = newAllocator(clock, 5);
    let kept = 0;
    for (let i = 0; i < 100; i += 1, clock.now += 10) kept += routes.probability(`GET /r${i}`);
    expect(kept).toBeLessThan(11);
  });

  it('tracks the target within 10% once settled', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 10);
    run(allocator, clock, 'GET /a', 200, 10); // settle
    const kept = run(allocator, clock, 'GET /a', 200, 60);
    expect(kept).toBeGreaterThan(9);
    expect(kept).toBeLessThan(11);
  });

  it('re-settles within 5 s after traffic steps up tenfold', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 10);
    run(allocator, clock, 'GET /a', 100, 10);
    run(allocator, clock, 'GET /a', 1000, 5); // step change, settling
    const kept = run(allocator, clock, 'GET /a', 1000, 30);
    expect(kept).toBeGreaterThan(9);
    expect(kept).toBeLessThan(11);
  });

  it('takes a tenfold burst at once: one interval in, the probability fits the new rate', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 10);
    run(allocator, clock, 'GET /a', 100, 10);
    expect(allocator.probability('GET /a')).toBeCloseTo(0.1, 2);
    run(allocator, clock, 'GET /a', 1000, 1);
    // A moving average alone would still believe ~550/s here and keep almost twice the target.
    expect(allocator.probability('GET /a')).toBeCloseTo(0.01, 3);
  });

  it('keeps a rare key whole beside a frequent one', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 10);
    for (let second = 0; second < 20; second += 1) {
      run(allocator, clock, 'GET /hot', 500, 1);
      allocator.record('POST /rare');
    }
    expect(allocator.probability('POST /rare')).toBe(1);
    expect(allocator.probability('GET /hot')).toBeLessThan(0.03);
  });

  it('keeps a key it has not measured yet', () => {
    const clock = { now: 0 };
    expect(newAllocator(clock, 1).probability('GET /new')).toBe(1);
  });

  it('bounds the number of keys', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 1, 3);
    for (let i = 0; i < 50; i += 1) allocator.record(`GET /k${i}`);
    clock.now += 1000;
    expect(allocator.snapshot().size).toBeLessThanOrEqual(4);
  });

  it('admits a new key while fewer than the cap exist, counting each steady key once', () => {
    const clock = { now: 0 };
    const allocator = newAllocator(clock, 1, 4);
    for (let second = 0; second < 3; second += 1) {
      for (const key of ['GET /a', 'GET /b', 'GET /c']) allocator.record(key);
      clock.now += 1000;
    }
    // Three keys, each with a rate and counted again this interval: room for a fourth.
    for (const key of ['GET /a', 'GET /b', 'GET /c', 'GET /d']) allocator.record(key);
    clock.now += 1000;
    expect([...allocator.snapshot().keys()].sort()).toEqual([
      'GET /a',
      'GET /b',
      'GET /c',
      'GET /d',
    ]);
  });
});
