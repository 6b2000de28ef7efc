import { allocate } from './allocate.ts';

export interface RateAllocatorOptions {
  /** Kept traces per second to aim for, over all keys of this service. */
  readonly targetPerSecond: number;
  /** Length of a measurement interval. */
  readonly intervalMs: number;
  /** Weight of the newest interval in the moving average of each key's rate (0..1]. */
  readonly smoothing: number;
  /** Keys beyond this many share the key `(other)`, bounding memory. */
  readonly maxKeys: number;
  readonly now: () => number;
}

export const OTHER_KEY = '(other)';
const BURST_FACTOR = 2;

/**
 * Adapts keep probabilities so that the kept rate of candidate (non-error, non-slow) traces
 * tracks the target. Each key's arrival rate is an exponential moving average over short
 * intervals (a burst replaces it at once); at every interval the budget is re-shared between
 * keys (see {@link allocate}).
 * Keys whose rate is not known yet (a service's first second, a new route) share a budget of
 * their own at the target rate, so a cold start or a deploy does not keep everything.
 */
export class RateAllocator {
  private readonly options: RateAllocatorOptions;
  private counts = new Map<string, number>();
  /** Keys counted this interval that have no rate yet: with `rates`, every distinct key. */
  private newKeys = 0;
  private readonly rates = new Map<string, number>();
  private probabilities = new Map<string, number>();
  /** Traces of keys with no rate yet that asked for a probability this interval. */
  private unknownAsked = 0;
  private intervalStart: number;

  constructor(options: RateAllocatorOptions) {
    this.options = options;
    this.intervalStart = options.now();
  }

  /** The probability to keep a candidate trace of this key now. */
  probability(key: string): number {
    this.roll();
    const known = this.probabilities.get(this.bounded(key));
    if (known !== undefined) return known;
    // The first is kept; later ones so that the expected number kept stays near target ×
    // elapsed (plus a logarithmic start). The probability depends only on arrival order, so
    // 1/p still weighs each kept trace to the truth.
    this.unknownAsked += 1;
    const elapsedSeconds = (this.options.now() - this.intervalStart) / 1000;
    return Math.min(1, (this.options.targetPerSecond * elapsedSeconds + 1) / this.unknownAsked);
  }

  /** Counts one candidate trace of this key (kept or not). */
  record(key: string): void {
    this.roll();
    const bounded = this.bounded(key);
    const count = this.counts.get(bounded);
    if (count === undefined && !this.rates.has(bounded)) this.newKeys += 1;
    this.counts.set(bounded, (count ?? 0) + 1);
  }

  /** Current probability per key, for metrics and tests. */
  snapshot(): ReadonlyMap<string, number> {
    this.roll();
    return new Map(this.probabilities);
  }

  private bounded(key: string): string {
    if (this.rates.has(key) || this.counts.has(key)) return key;
    // A steady key is in both maps: count distinct keys, not entries.
    return this.rates.size + this.newKeys < this.options.maxKeys ? key : OTHER_KEY;
  }

  private roll(): void {
    const { intervalMs, smoothing, targetPerSecond, now } = this.options;
    const elapsed = now() - this.intervalStart;
    if (elapsed < intervalMs) return;
    const intervals = Math.floor(elapsed / intervalMs);
    const seconds = intervalMs / 1000;
    for (const key of new Set([...this.rates.keys(), ...this.counts.keys()])) {
      const observed = (this.counts.get(key) ?? 0) / seconds;
      const previous = this.rates.get(key);
      // The first interval carries the counts; any further elapsed ones were empty. A burst
      // (more than twice the average: not noise at the rates where sampling matters) is taken
      // at once, so the kept rate is back near the target one interval into it; decreases and
      // noise are smoothed.
      let rate =
        previous === undefined || observed > BURST_FACTOR * previous
          ? observed
          : previous + smoothing * (observed - previous);
      for (let i = 1; i < intervals; i += 1) rate *= 1 - smoothing;
      if (rate < 1e-3) this.rates.delete(key);
      else this.rates.set(key, rate);
    }
    this.counts = new Map();
    this.newKeys = 0;
    this.unknownAsked = 0;
    this.intervalStart += intervals * intervalMs;
    this.probabilities = allocate(this.rates, targetPerSecond);
  }
}
