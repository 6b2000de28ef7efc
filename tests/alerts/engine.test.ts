import { createServer, type Server } from 'node:http';
import type { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert, AlertTransition } from '../../src/contracts/alert.ts';
import type { AlertStore } from '../../src/storage/alert-store.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { IncidentGrouping } from '../../src/alerts/evaluator.ts';
import { IncidentsInMemory } from '../../src/alerts/incidents-in-memory.ts';
import { parseNotificationPolicy } from '../../src/alerts/notifications/policy.ts';
import { parseRules } from '../../src/alerts/rules.ts';

/**
 * A stand-in Elasticsearch: one service, `world.failed` of 100 requests failing in every
 * window (the queries themselves are tested against the real one in tests/integration).
 */
function clientReporting(world: { failed: number }): Client {
  const search = (request: { size?: number }) => {
    const group = {
      key: { key: 'checkout' },
      doc_count: 100,
      requests: { value: 100 },
      spread: { sum_of_squares: 100 },
      since: { value: 0 },
      errors: {
        requests: { value: world.failed },
        spread: { sum_of_squares: world.failed },
      },
      latency: { buckets: [] },
    };
    return Promise.resolve(
      request.size === 0
        ? { aggregations: { groups: { buckets: [group] } } }
        : { hits: { hits: [] } },
    );
  };
  return { search } as unknown as Client;
}

/** A store in memory whose writes fail while `failing` says so. */
function storeIn(loaded: Alert[] = []) {
  const alerts = new Map<string, Alert>();
  const history = new Map<string, AlertTransition>();
  const failing = { alerts: false, history: false };
  const store = {
    active: () => Promise.resolve(loaded),
    commit: vi.fn(
      (
        saved: readonly Alert[],
        deleted: readonly string[],
        pending: { carried: readonly AlertTransition[]; fresh: readonly AlertTransition[] },
      ) => {
        // As the real store: a failed state write leaves none of this evaluation's transitions.
        if (failing.alerts) return Promise.reject(new Error('index write block'));
        for (const alert of saved) alerts.set(alert.id, alert);
        for (const id of deleted) alerts.delete(id);
        const transitions = [...pending.carried, ...pending.fresh];
        // A partial failure of the history part: the first transition lands, the rest do not.
        for (const t of transitions.slice(0, failing.history ? 1 : undefined)) {
          history.set(JSON.stringify([t.id, t.from, t.to, t.at]), t);
        }
        return Promise.resolve({ historySaved: !failing.history });
      },
    ),
  };
  return {
    store: store as unknown as AlertStore,
    commit: store.commit,
    alerts,
    history,
    failing,
  };
}

const rules = parseRules({
  rules: [{ name: 'errors', kind: 'error_rate', threshold: 0.05, severity: 'high' }],
});

function engine(
  client: Client,
  store: AlertStore,
  alertmanager?: string,
  incidents?: IncidentsInMemory,
) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = () => (now += 5_000);
  return new AlertEngine(client, store, rules, {
    intervalMs: 5_000,
    queryOffsetMs: 0,
    alertmanager: alertmanager ? { url: alertmanager, publicUrl: 'http://lantern' } : undefined,
    now: clock,
    warn: () => undefined,
    incidents,
  });
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A stand-in Alertmanager that records every alert posted to it, or refuses them. */
async function alertmanagerRecording(): Promise<{
  url: string;
  posted: Record<string, unknown>[];
  refusing: boolean;
}> {
  const recording = { url: '', posted: [] as Record<string, unknown>[], refusing: false };
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (recording.refusing) {
        response.writeHead(503).end();
        return;
      }
      recording.posted.push(...(JSON.parse(body) as Record<string, unknown>[]));
      response.end('{}');
    });
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const address = listening.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  recording.url = `http://127.0.0.1:${port}`;
  return recording;
}

describe('the alert engine commits only what it stored', () => {
  it('moves nothing while the alert write fails, then makes the transition once', async () => {
    const { store, alerts, history, failing } = storeIn();
    const e = engine(clientReporting({ failed: 30 }), store);
    failing.alerts = true;
    await expect(e.evaluateOnce()).rejects.toThrow(/write block/);
    await expect(e.evaluateOnce()).rejects.toThrow(/write block/);
    expect(history.size).toBe(0);
    failing.alerts = false;
    const report = await e.evaluateOnce();
    expect(report.transitions.map((t) => `${t.from}→${t.to}`)).toEqual(['inactive→firing']);
    expect([...alerts.values()].map((a) => a.state)).toEqual(['firing']);
    // Later evaluations of the same condition make no new transition.
    expect((await e.evaluateOnce()).transitions).toEqual([]);
    expect([...history.values()].map((t) => `${t.from}→${t.to}`)).toEqual(['inactive→firing']);
  });

  it('appends transitions the history refused with the next evaluation, each once', async () => {
    const world = { failed: 30 };
    const { store, commit, history, failing } = storeIn();
    const e = engine(clientReporting(world), store);
    failing.history = true;
    // Fires, and the alert is stored: the state moves although the history write failed.
    expect((await e.evaluateOnce()).transitions.map((t) => t.to)).toEqual(['firing']);
    world.failed = 0;
    expect((await e.evaluateOnce()).transitions.map((t) => t.to)).toEqual(['resolved']);
    expect(history.size).toBe(1); // the partial write kept the first of the two
    failing.history = false;
    await e.evaluateOnce();
    expect([...history.values()].map((t) => t.to)).toEqual(['firing', 'resolved']);
    expect(commit).toHaveBeenLastCalledWith([], [], {
      carried: [
        expect.objectContaining({ to: 'firing' }),
        expect.objectContaining({ to: 'resolved' }),
      ],
      fresh: [],
    });
  });
});

describe('the alert engine with incidents', () => {
  it('stores each firing alert with its incident, and resolves the incident with it', async () => {
    const world = { failed: 30 };
    const { store, alerts } = storeIn();
    const incidents = new IncidentsInMemory();
    const e = engine(clientReporting(world), store, undefined, incidents);
    await e.evaluateOnce();
    const [incident] = incidents.incidents();
    expect(incident?.status).toBe('open');
    expect([...alerts.values()].map((a) => a.incidentId)).toEqual([incident?.id]);
    world.failed = 0;
    await e.evaluateOnce();
    expect(incidents.incidents().map((i) => i.status)).toEqual(['resolved']);
    expect([...alerts.values()].map((a) => `${a.state} ${a.incidentId ?? ''}`)).toEqual([
      `resolved ${incident?.id ?? ''}`,
    ]);
  });

  it('still stores the alerts when grouping fails', async () => {
    const { store, alerts } = storeIn();
    const failing = {
      group: () => Promise.reject(new Error('incidents index read-only')),
      incident: () => undefined,
    };
    const warnings: string[] = [];
    const e = new AlertEngine(clientReporting({ failed: 30 }), store, rules, {
      intervalMs: 5_000,
      queryOffsetMs: 0,
      now: () => Date.parse('2026-12-01T10:00:00Z'),
      warn: (message) => warnings.push(message),
      incidents: failing,
    });
    await e.evaluateOnce();
    expect([...alerts.values()].map((a) => `${a.state} ${String(a.incidentId)}`)).toEqual([
      'firing null',
    ]);
    expect(warnings).toEqual(['incidents not grouped (tried again): incidents index read-only']);
  });
});

describe('alerts of a rule that no longer exists', () => {
  it('are resolved with a transition and sent to Alertmanager resolved, once', async () => {
    const am = await alertmanagerRecording();
    const orphan: Alert = {
      id: 'orphan-1',
      rule: 'renamed-away',
      severity: 'high',
      severityRank: 3,
      state: 'firing',
      service: 'checkout',
      summary: 'old',
      description: '',
      value: 0.3,
      threshold: 0.05,
      startsAt: '2026-12-01T09:00:00.000Z',
      endsAt: null,
      updatedAt: '2026-12-01T09:00:00.000Z',
      lastActiveAt: '2026-12-01T09:00:00.000Z',
      labels: { alertname: 'renamed-away', service: 'checkout' },
      annotations: {},
      exemplarTraceIds: [],
      incidentId: null,
    };
    const { store, alerts, history } = storeIn([orphan]);
    const e = engine(clientReporting({ failed: 0 }), store, am.url);
    const report = await e.evaluateOnce();
    expect(report.transitions.map((t) => `${t.rule}: ${t.from}→${t.to}`)).toEqual([
      'renamed-away: firing→resolved',
    ]);
    expect(alerts.get('orphan-1')?.state).toBe('resolved');
    expect(history.size).toBe(1);
    await e.evaluateOnce();
    // Sent once, resolved (an endsAt), and not again as firing on the next evaluation.
    expect(am.posted).toEqual([
      expect.objectContaining({ labels: orphan.labels, endsAt: expect.any(String) as string }),
    ]);
  });
});

/**
 * Incidents as the stored grouper knows them: only those the last evaluation's alerts named
 * (an alert resolved earlier names its incident no more).
 */
function lastGroupingOnly(inner: IncidentsInMemory): IncidentGrouping {
  let named = new Set<string>();
  return {
    async group(alerts, now) {
      const regrouped = await inner.group(alerts, now);
      named = new Set(
        [...alerts, ...regrouped].flatMap((a) => (a.incidentId === null ? [] : [a.incidentId])),
      );
      return regrouped;
    },
    incident: (id) => (named.has(id) ? inner.incident(id) : undefined),
  };
}

describe('alerts are pushed as their incidents escalate', () => {
  it('labels each alert with its incident and every due step, and a late resolve keeps them', async () => {
    const am = await alertmanagerRecording();
    const world = { failed: 30 };
    const { store } = storeIn();
    let now = Date.parse('2026-12-01T10:00:00Z');
    const e = new AlertEngine(clientReporting(world), store, rules, {
      intervalMs: 5_000,
      queryOffsetMs: 0,
      alertmanager: { url: am.url, publicUrl: 'http://lantern' },
      notificationPolicy: parseNotificationPolicy({
        receivers: [{ name: 'hook', webhook: { url: 'http://hooks.example.com/' } }],
        escalation: {
          high: [
            { after: '0s', receivers: ['hook'] },
            { after: '1m', receivers: ['hook'] },
          ],
        },
      }),
      now: () => (now += 5_000),
      warn: () => undefined,
      incidents: lastGroupingOnly(new IncidentsInMemory()),
    });
    const steps = (): string[] => [
      ...new Set(
        am.posted.map((a) => {
          const labels = a.labels as Record<string, string>;
          return `${labels.incident ?? 'none'} ${labels.escalation_step ?? 'none'} ${a.endsAt ? 'ended' : 'firing'}`;
        }),
      ),
    ];
    for (let i = 0; i < 5; i += 1) await e.evaluateOnce();
    const incident = (am.posted[0]?.labels as Record<string, string>).incident ?? '';
    expect(incident).toMatch(/^[0-9a-f]{20}$/);
    expect(steps()).toEqual([`${incident} high.1 firing`]);

    // A minute on, unacknowledged: step 2 is pushed beside step 1.
    now += 60_000;
    am.posted.length = 0;
    await e.evaluateOnce();
    expect(steps()).toEqual([`${incident} high.1 firing`, `${incident} high.2 firing`]);

    // The alert resolves while Alertmanager refuses; sent later, its resolve still names the
    // incident and both steps, so it reaches the receivers that were told.
    am.refusing = true;
    world.failed = 0;
    for (let i = 0; i < 3; i += 1) await e.evaluateOnce();
    am.refusing = false;
    am.posted.length = 0;
    await e.evaluateOnce();
    expect(steps()).toEqual([`${incident} high.1 ended`, `${incident} high.2 ended`]);
  });
});
