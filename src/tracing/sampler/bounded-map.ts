/**
 * A Map that holds at most `max` entries, forgetting the oldest insertion first. The sampler's
 * per-trace memories (decisions, entry keys) use it so no traffic pattern can grow them.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Sets the value unless the key is already present (the first value wins). */
  setIfAbsent(key: K, value: V): void {
    if (this.entries.has(key)) return;
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }

  /** The value, forgotten once taken. */
  take(key: K): V | undefined {
    const value = this.entries.get(key);
    this.entries.delete(key);
    return value;
  }
}
