import type { Alert } from '../contracts/alert.ts';
import type { Incident } from '../contracts/incident.ts';
import type { IncidentStore } from '../storage/incident-store.ts';
import type { ServiceCall } from '../storage/queries/service-calls.ts';
import { CallChain } from './call-chain.ts';
import type { IncidentGrouping } from './evaluator.ts';
import { groupIncidents } from './incident-grouping.ts';

/** Which services call which is read over this much of the recent past. */
const CALLS_LOOKBACK_MS = 15 * 60_000;
/** ...and read again at most this often: call chains change with deploys, not by the second. */
const CALLS_REFRESH_MS = 60_000;

export interface IncidentGrouperSettings {
  /** Reads which services call which: `serviceCalls` of src/storage/queries/service-calls.ts. */
  readonly calls: (range: {
    readonly from: string;
    readonly to: string;
  }) => Promise<readonly ServiceCall[]>;
}

/**
 * The evaluation's incident step, run by the replica that evaluates: reads the incidents the
 * alerts concern, groups (src/alerts/incident-grouping.ts), and stores the incidents before the
 * alerts that point at them, so no stored alert names an incident that is not there. An
 * incident another replica changed meanwhile (acknowledged) is left for the next evaluation,
 * which groups it again from what is stored; its alerts keep their old incident for now.
 */
export class IncidentGrouper implements IncidentGrouping {
  private chain: { readonly at: number; readonly calls: CallChain } | undefined;
  /** The incidents the last grouping read and stored, by id. */
  private known = new Map<string, Incident>();

  private readonly store: IncidentStore;
  private readonly settings: IncidentGrouperSettings;

  constructor(store: IncidentStore, settings: IncidentGrouperSettings) {
    this.store = store;
    this.settings = settings;
  }

  /** Alerts that now point at another incident, to store with the evaluation's alerts. */
  async group(alerts: readonly Alert[], now: number): Promise<Alert[]> {
    const named = [
      ...new Set(alerts.flatMap((a) => (a.incidentId === null ? [] : [a.incidentId]))),
    ];
    const stored = await this.store.forGrouping(named);
    this.known = new Map(stored.map((s) => [s.incident.id, s.incident]));
    const signals = alerts.some((a) => a.state !== 'pending');
    if (!signals && stored.length === 0) return [];
    const grouped = groupIncidents({
      incidents: stored.map((s) => s.incident),
      alerts,
      calls: await this.callChain(now),
      now,
    });
    const versions = new Map(stored.map((s) => [s.incident.id, s]));
    const { conflicts } = await this.store.save(
      grouped.incidents.map((incident) => ({ incident, version: versions.get(incident.id) })),
      grouped.entries,
    );
    for (const incident of grouped.incidents)
      if (!conflicts.includes(incident.id)) this.known.set(incident.id, incident);
    return grouped.alerts.filter((alert) => !conflicts.includes(alert.incidentId ?? ''));
  }

  incident(id: string): Incident | undefined {
    return this.known.get(id);
  }

  private async callChain(now: number): Promise<CallChain> {
    if (this.chain && Math.abs(now - this.chain.at) < CALLS_REFRESH_MS) return this.chain.calls;
    const calls = new CallChain(
      await this.settings.calls({
        from: new Date(now - CALLS_LOOKBACK_MS).toISOString(),
        to: new Date(now).toISOString(),
      }),
    );
    this.chain = { at: now, calls };
    return calls;
  }
}
