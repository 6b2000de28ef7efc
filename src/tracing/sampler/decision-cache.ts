import type { Decision } from './decision.ts';

/** Decisions of recently decided traces, so late spans follow their trace. Bounded (FIFO). */
export class DecisionCache {
  private readonly decisions = new Map<string, Decision>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(traceId: string): Decision | undefined {
    return this.decisions.get(traceId);
  }

  set(traceId: string, decision: Decision): void {
    if (this.decisions.size >= this.max) {
      const oldest = this.decisions.keys().next().value;
      if (oldest !== undefined) this.decisions.delete(oldest);
    }
    this.decisions.set(traceId, decision);
  }
}
