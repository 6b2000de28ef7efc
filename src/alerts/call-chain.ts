import type { ServiceCall } from '../storage/queries/service-calls.ts';

/**
 * Which services call which, directly or through others: from the spans' parent/child edges
 * across services. A fault travels up a call chain (a failing database fails its callers), so
 * alerts on services one of which reaches the other are one incident, and the deepest of them
 * is the likely origin.
 */
export class CallChain {
  private readonly callees = new Map<string, Set<string>>();
  private readonly reached = new Map<string, ReadonlySet<string>>();

  constructor(calls: readonly Pick<ServiceCall, 'parent' | 'child'>[]) {
    for (const { parent, child } of calls) {
      if (parent === child) continue;
      const set = this.callees.get(parent) ?? new Set<string>();
      set.add(child);
      this.callees.set(parent, set);
    }
  }

  /** True when `caller` calls `callee`, directly or through other services. */
  reaches(caller: string, callee: string): boolean {
    return this.downstream(caller).has(callee);
  }

  /** True for one service, and for two services one of which calls the other. */
  related(a: string | null, b: string | null): boolean {
    if (a === b) return true;
    if (a === null || b === null) return false;
    return this.reaches(a, b) || this.reaches(b, a);
  }

  /**
   * The deepest of these services: one that calls none of the others. Services in a cycle all
   * call each other; then none is deeper and all are candidates. Among candidates the first in
   * the given order wins (the caller orders by onset).
   */
  deepest(services: readonly string[]): string | undefined {
    const leaves = services.filter(
      (service) => !services.some((other) => other !== service && this.reaches(service, other)),
    );
    return leaves[0] ?? services[0];
  }

  /** Every service `from` reaches (breadth first, so cycles end), remembered. */
  private downstream(from: string): ReadonlySet<string> {
    const known = this.reached.get(from);
    if (known) return known;
    const seen = new Set<string>();
    const queue = [from];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const callee of this.callees.get(next) ?? []) {
        if (seen.has(callee)) continue;
        seen.add(callee);
        queue.push(callee);
      }
    }
    seen.delete(from);
    this.reached.set(from, seen);
    return seen;
  }
}
