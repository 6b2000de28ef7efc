import type { Alert } from '../contracts/alert.ts';
import type { Incident } from '../contracts/incident.ts';
import { CallChain } from './call-chain.ts';
import type { IncidentGrouping } from './evaluator.ts';
import { groupIncidents } from './incident-grouping.ts';

/**
 * Incidents kept in memory: the evaluation's incident step for an engine whose alert state is
 * in memory too (the alert benchmarks), so they can count incidents and notifications per
 * incident without writing to the stack. The service stores them (incident-grouper.ts).
 */
export class IncidentsInMemory implements IncidentGrouping {
  private readonly kept = new Map<string, Incident>();
  private readonly calls: CallChain;

  constructor(calls: CallChain = new CallChain([])) {
    this.calls = calls;
  }

  group(alerts: readonly Alert[], now: number): Promise<Alert[]> {
    const grouped = groupIncidents({
      incidents: [...this.kept.values()],
      alerts,
      calls: this.calls,
      now,
    });
    for (const incident of grouped.incidents) this.kept.set(incident.id, incident);
    return Promise.resolve(grouped.alerts);
  }

  incident(id: string): Incident | undefined {
    return this.kept.get(id);
  }

  /** Every incident so far, oldest first. */
  incidents(): Incident[] {
    return [...this.kept.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
