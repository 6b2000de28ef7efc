import { describe, expect, it } from 'vitest';
import { CallChain } from '../../src/alerts/call-chain.ts';
import { groupIncidents, INCIDENT_WINDOW_MS } from '../../src/alerts/incident-grouping.ts';
import type { Alert } from '../../src/contracts/alert.ts';
import type { Incident } from '../../src/contracts/incident.ts';
import type { Severity } from '../../src/contracts/severity.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A firing alert of `rule` on `service` whose episode began `minute` minutes after T0. */
function firing(
  rule: string,
  service: string | null,
  minute: number,
  severity: Severity = 'high',
): Alert {
  const rank = { low: 1, medium: 2, high: 3, critical: 4 }[severity];
  return {
    id: `${rule}-${service ?? 'all'}`.padEnd(20, '0').slice(0, 20),
    rule,
    severity,
    severityRank: rank,
    state: 'firing',
    service,
    summary: `${rule} on ${service ?? 'all services'}`,
    description: '',
    value: 0.3,
    threshold: 0.05,
    startsAt: iso(T0 + minute * MINUTE),
    endsAt: null,
    updatedAt: iso(T0 + minute * MINUTE),
    lastActiveAt: iso(T0 + minute * MINUTE),
    labels: { alertname: rule, service: service ?? '' },
    annotations: {},
    exemplarTraceIds: [],
    incidentId: null,
  };
}

/** frontend → backend → database, frontend → cache; billing stands alone. */
const calls = new CallChain([
  { parent: 'frontend', child: 'backend' },
  { parent: 'backend', child: 'database' },
  { parent: 'frontend', child: 'cache' },
]);

/** Runs grouping over ticks, carrying incidents and alerts' incident ids as the store would. */
function ticks(steps: { minute: number; alerts: Alert[] }[]) {
  const incidents = new Map<string, Incident>();
  const incidentOf = new Map<string, string>();
  const entries: string[] = [];
  for (const step of steps) {
    const grouped = groupIncidents({
      incidents: [...incidents.values()],
      alerts: step.alerts.map((a) => ({ ...a, incidentId: incidentOf.get(a.id) ?? null })),
      calls,
      now: T0 + step.minute * MINUTE,
    });
    for (const incident of grouped.incidents) incidents.set(incident.id, incident);
    for (const alert of grouped.alerts) incidentOf.set(alert.id, alert.incidentId ?? '');
    entries.push(...grouped.entries.map((e) => `${e.kind}: ${e.text}`));
  }
  return { incidents: [...incidents.values()], incidentOf, entries };
}

describe('grouping alerts into incidents', () => {
  it('puts alerts on one service close together in time into one incident', () => {
    const errors = firing('error-rate-high', 'frontend', 0);
    const burn = firing('availability-burn-high', 'frontend', 2, 'critical');
    const { incidents, incidentOf } = ticks([
      { minute: 1, alerts: [errors] },
      { minute: 3, alerts: [errors, burn] },
    ]);
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incidentOf.get(errors.id)).toBe(incident?.id);
    expect(incidentOf.get(burn.id)).toBe(incident?.id);
    expect(incident?.signals.map((s) => s.rule)).toEqual([
      'error-rate-high',
      'availability-burn-high',
    ]);
    // The title is the most severe signal's; the start the earliest onset.
    expect(incident?.title).toBe('availability-burn-high on frontend');
    expect(incident?.severity).toBe('critical');
    expect(incident?.startedAt).toBe(iso(T0));
  });

  it('opens a new incident for a service whose incident has resolved', () => {
    const first = { ...firing('error-rate-high', 'frontend', 0), state: 'resolved' as const };
    const resolvedAt = iso(T0 + 5 * MINUTE);
    const later = firing('latency-p95', 'frontend', 5 + INCIDENT_WINDOW_MS / MINUTE + 1);
    const { incidents } = ticks([
      { minute: 1, alerts: [{ ...first, state: 'firing' }] },
      { minute: 2, alerts: [firing('error-rate-high', 'frontend', 0)] },
      { minute: 5, alerts: [{ ...first, endsAt: resolvedAt }] },
      { minute: 30, alerts: [later] },
    ]);
    expect(incidents).toHaveLength(2);
    expect(incidents.map((i) => i.status).sort()).toEqual(['open', 'resolved']);
  });

  it('joins a related service only close in time to its signal there', () => {
    // The incident stays open on the database; its frontend signal ends at minute 5. The cache
    // is related to the frontend only (the frontend calls it), so that signal's end is what counts.
    const front = firing('error-rate-high', 'frontend', 0);
    const db = firing('error-rate-high', 'database', 0);
    const frontEnded: Alert = { ...front, state: 'resolved', endsAt: iso(T0 + 5 * MINUTE) };
    const withCacheAt = (minute: number) =>
      ticks([
        { minute: 1, alerts: [front, db] },
        { minute: 5, alerts: [frontEnded, db] },
        { minute, alerts: [db, firing('error-rate-high', 'cache', minute)] },
      ]).incidents;
    const windowEnd = 5 + INCIDENT_WINDOW_MS / MINUTE;
    expect(withCacheAt(windowEnd)).toHaveLength(1);
    expect(withCacheAt(windowEnd + 1).map((i) => i.services)).toEqual([
      ['database', 'frontend'],
      ['cache'],
    ]);
  });

  it('joins a caller and its callee, naming the deepest failing service the origin', () => {
    const front = firing('error-rate-high', 'frontend', 0);
    const db = firing('error-rate-high', 'database', 1);
    const { incidents } = ticks([
      { minute: 1, alerts: [front] },
      { minute: 2, alerts: [front, db] },
    ]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.origin).toBe('database');
    expect(incidents[0]?.services).toEqual(['database', 'frontend']);
  });

  it('keeps unrelated services apart even at the same time', () => {
    const front = firing('error-rate-high', 'frontend', 0);
    const billing = firing('error-rate-high', 'billing', 0);
    const { incidents } = ticks([{ minute: 1, alerts: [front, billing] }]);
    expect(incidents).toHaveLength(2);
    expect(incidents.map((i) => i.origin).sort()).toEqual(['billing', 'frontend']);
  });

  it('does not make pending alerts signals', () => {
    const pending = { ...firing('error-rate-high', 'frontend', 0), state: 'pending' as const };
    expect(ticks([{ minute: 1, alerts: [pending] }]).incidents).toEqual([]);
  });

  it('resolves an incident once every signal resolved, and says so on its timeline', () => {
    const errors = firing('error-rate-high', 'frontend', 0);
    const burn = firing('availability-burn-high', 'frontend', 1);
    const ended = (a: Alert, minute: number): Alert => ({
      ...a,
      state: 'resolved',
      endsAt: iso(T0 + minute * MINUTE),
    });
    const { incidents, entries } = ticks([
      { minute: 2, alerts: [errors, burn] },
      { minute: 6, alerts: [ended(errors, 6), burn] },
      { minute: 7, alerts: [] }, // burn resolved while the incident's write failed
    ]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.status).toBe('resolved');
    expect(incidents[0]?.resolvedAt).toBe(iso(T0 + 7 * MINUTE));
    expect(entries).toEqual([
      'signal-fired: error-rate-high fired: error-rate-high on frontend',
      'signal-fired: availability-burn-high fired: availability-burn-high on frontend',
      'signal-resolved: error-rate-high resolved',
      'signal-resolved: availability-burn-high no longer fires',
      'resolved: resolved: every signal resolved',
    ]);
  });

  it('gives the same incident to a replayed evaluation', () => {
    const errors = firing('error-rate-high', 'frontend', 0);
    const once = groupIncidents({ incidents: [], alerts: [errors], calls, now: T0 + MINUTE });
    const again = groupIncidents({ incidents: [], alerts: [errors], calls, now: T0 + MINUTE });
    expect(again.incidents).toEqual(once.incidents);
    // An alert stored without its incident (the alert write failed) finds it again.
    const replay = groupIncidents({
      incidents: once.incidents,
      alerts: [errors],
      calls,
      now: T0 + 2 * MINUTE,
    });
    expect(replay.alerts.map((a) => a.incidentId)).toEqual([once.incidents[0]?.id]);
    expect(replay.entries).toEqual([]);
  });
});

describe('call chain', () => {
  it('relates services that reach each other through others, not siblings', () => {
    const chain = new CallChain([
      { parent: 'a', child: 'b' },
      { parent: 'b', child: 'c' },
      { parent: 'a', child: 'd' },
    ]);
    expect(chain.related('a', 'c')).toBe(true);
    expect(chain.related('c', 'a')).toBe(true);
    expect(chain.related('c', 'd')).toBe(false);
    expect(chain.deepest(['a', 'b', 'c'])).toBe('c');
  });

  it('names a service in a cycle without looping', () => {
    const chain = new CallChain([
      { parent: 'a', child: 'b' },
      { parent: 'b', child: 'a' },
    ]);
    expect(chain.deepest(['a', 'b'])).toBe('a');
  });
});
