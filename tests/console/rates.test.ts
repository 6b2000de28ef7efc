import { describe, expect, it } from 'vitest';
import { currentRate, rangeRate } from '../../src/console/rates.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-08T10:00:00Z');
/** Minute buckets over an hour: nothing for 58 minutes, then 1,200 requests a minute. */
const buckets = Array.from({ length: 61 }, (_, i) => ({
  start: new Date(T0 + i * MINUTE).toISOString(),
  requests: i >= 58 ? 1200 : 0,
}));

describe('request rates', () => {
  it('reads a young service over the time it has existed, not the whole range', () => {
    const range = { from: T0, to: T0 + 60 * MINUTE + 30_000 };
    // 3 buckets × 1,200 over the 2.5 minutes since its first bucket.
    expect(rangeRate(3600, buckets, range)).toBeCloseTo(3600 / 150, 9);
  });

  it('reads now from the complete buckets of the last five minutes', () => {
    // At 10:60:30 the 10:60 bucket is still filling: 10:56–10:59 are complete and recent.
    const now = T0 + 60 * MINUTE + 30_000;
    expect(currentRate(buckets, MINUTE, now)).toBeCloseTo((2 * 1200) / 240, 9);
    expect(currentRate([], MINUTE, now)).toBeNull();
  });

  it('takes the last complete bucket when buckets are wider than five minutes', () => {
    const hourly = [
      { start: new Date(T0).toISOString(), requests: 3600 },
      { start: new Date(T0 + 60 * MINUTE).toISOString(), requests: 10 },
    ];
    expect(currentRate(hourly, 60 * MINUTE, T0 + 61 * MINUTE)).toBeCloseTo(1, 9);
  });
});
