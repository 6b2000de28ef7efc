import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { IncidentGrouper } from '../../src/alerts/incident-grouper.ts';
import { parseRules } from '../../src/alerts/rules.ts';
import type { Alert } from '../../src/contracts/alert.ts';
import { fields } from '../../src/contracts/fields.ts';
import type { Incident, TimelineEntry } from '../../src/contracts/incident.ts';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { IncidentStore } from '../../src/storage/incident-store.ts';
import { serviceCalls } from '../../src/storage/queries/service-calls.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { newTraceId } from '../../tools/harness/trace-ids.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * Incidents against the real Elasticsearch: a frontend calling a backend (each request one
 * trace, the backend's span the child of the frontend's), both failing for the last ten
 * minutes, and a lone service failing at the same time. The frontend's and the backend's alerts
 * are one incident whose likely origin is the backend; the lone service's is another.
 */
const run = Date.now().toString(36);
const FRONT = `inc-front-${run}`;
const BACK = `inc-back-${run}`;
const LONE = `inc-lone-${run}`;
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE;
const START = T - 30 * MINUTE;

const documents: Record<string, unknown>[] = [];
for (let i = 0; i < 30 * 60; i += 2) {
  const at = START + i * 1000 + 500;
  const failed = at >= T - 10 * MINUTE;
  const traceId = newTraceId();
  const front = {
    ...spanDocument({ service: FRONT, route: '/', at, durationMs: 30, failed, weight: 1, traceId }),
  };
  const back = {
    ...spanDocument({
      service: BACK,
      route: '/work',
      at: at + 5,
      durationMs: 20,
      failed,
      weight: 1,
      traceId,
    }),
    [fields.span.parentSpanId]: front[fields.spanId],
  };
  const lone = spanDocument({ service: LONE, route: '/x', at, durationMs: 10, failed, weight: 1 });
  documents.push(front, back, lone);
}

const rules = parseRules({
  rules: [FRONT, BACK, LONE].map((service) => ({
    name: `errors-${service}`,
    kind: 'error_rate',
    service,
    threshold: 0.05,
    for: '0s',
    severity: service === FRONT ? 'critical' : 'high',
  })),
});

const clock = { now: T };
const incidentStore = new IncidentStore(es);
const engine = new AlertEngine(es, new AlertStore(es), rules, {
  intervalMs: 1000,
  queryOffsetMs: 0,
  now: () => clock.now,
  warn: (message) => {
    throw new Error(message);
  },
  incidents: new IncidentGrouper(incidentStore, { calls: (range) => serviceCalls(es, range) }),
});

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(`lantern-spans-seed-incidents-${run}`, documents);
  api = await startApi(es, {
    now: () => clock.now,
    alertmanager: { url: stack.alertmanager, publicUrl: 'http://127.0.0.1:8080' },
  });
}, 120_000);
afterAll(() => api.close());

const ours = (incident: Incident): boolean => incident.services.some((s) => s.endsWith(run));

async function incidents(query = ''): Promise<Incident[]> {
  const { status, body } = await api.get(`/api/v1/incidents?limit=1000${query}`);
  expect(status).toBe(200);
  return (body.incidents as Incident[]).filter(ours);
}

describe('incidents', () => {
  it('groups the alerts of a caller and its callee into one incident, the callee its origin', async () => {
    await engine.evaluateOnce();
    const found = await incidents('&status=active');
    expect(found.map((i) => i.services.join(' ')).sort()).toEqual([`${BACK} ${FRONT}`, LONE]);
    const chain = found.find((i) => i.services.includes(FRONT));
    expect(chain?.origin).toBe(BACK);
    expect(chain?.severity).toBe('critical');
    expect(chain?.title).toContain(FRONT);
    expect(chain?.signals.map((s) => s.rule).sort()).toEqual([`errors-${BACK}`, `errors-${FRONT}`]);
    expect(chain?.startedAt).toBe(chain?.signals[0]?.onset);

    // Each alert names its incident.
    const { body } = await api.get('/api/v1/alerts?state=firing&limit=1000');
    const alerts = (body.alerts as Alert[]).filter((a) => a.service?.endsWith(run));
    expect(alerts).toHaveLength(3);
    for (const alert of alerts) {
      const home = found.find((i) => i.signals.some((s) => s.alertId === alert.id));
      expect(alert.incidentId).toBe(home?.id);
    }
  });

  it('keeps one incident over later evaluations, and shows it with its timeline', async () => {
    clock.now = T + 30_000;
    await engine.evaluateOnce();
    const found = await incidents('&status=active');
    expect(found).toHaveLength(2);
    const chain = found.find((i) => i.services.includes(FRONT));
    const { status, body } = await api.get(`/api/v1/incidents/${chain?.id ?? ''}`);
    expect(status).toBe(200);
    const timeline = body.timeline as TimelineEntry[];
    expect(timeline.map((e) => e.kind)).toEqual(['signal-fired', 'signal-fired']);
    expect(timeline.map((e) => e.details.service).sort()).toEqual([BACK, FRONT]);
  });

  it('is acknowledged and resolved by hand; unknown is 404, resolved is 409', async () => {
    const [chain] = (await incidents('&status=active')).filter((i) => i.services.includes(FRONT));
    const id = chain?.id ?? '';
    const acked = await api.post(`/api/v1/incidents/${id}/acknowledge`, {
      by: 'ada',
      note: 'looking at the backend',
    });
    expect(acked.status).toBe(200);
    expect(acked.body.status).toBe('acknowledged');
    expect(acked.body.acknowledgement).toMatchObject({ by: 'ada', note: 'looking at the backend' });
    // Acknowledging silences the incident's notifications in the real Alertmanager.
    const silences = (await (
      await fetch(
        `${stack.alertmanager}/api/v2/silences?filter=${encodeURIComponent(`incident="${id}"`)}`,
      )
    ).json()) as { status: { state: string }; createdBy: string }[];
    expect(silences.filter((s) => s.status.state === 'active')).toMatchObject([
      { createdBy: 'ada' },
    ]);

    // The next evaluation keeps the acknowledgement.
    clock.now = T + 60_000;
    await engine.evaluateOnce();
    expect((await incidentStore.get(id))?.status).toBe('acknowledged');

    const unknown = await api.post('/api/v1/incidents/0123456789abcdef0123/acknowledge', {
      by: 'ada',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: { code: 'not_found', message: 'no incident with id 0123456789abcdef0123' },
    });
    const noOne = await api.post(`/api/v1/incidents/${id}/acknowledge`, { note: 'x' });
    expect(noOne.status).toBe(400);
    expect((noOne.body.error as { message: string }).message).toMatch(/^parameter "by"/);

    const resolved = await api.post(`/api/v1/incidents/${id}/resolve`, { by: 'ada' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const again = await api.post(`/api/v1/incidents/${id}/acknowledge`, { by: 'bob' });
    expect(again.status).toBe(409);
    expect((again.body.error as { code: string }).code).toBe('conflict');

    const { body } = await api.get(`/api/v1/incidents/${id}`);
    const kinds = (body.timeline as TimelineEntry[]).map((e) => e.kind);
    // Acknowledging records itself and the silence it makes in the same millisecond: either
    // may come first in a timeline ordered by time.
    expect([...kinds.slice(0, 2), ...kinds.slice(2, 4).sort(), kinds[4]]).toEqual([
      'signal-fired',
      'signal-fired',
      'acknowledged',
      'silenced',
      'resolved',
    ]);
    expect(kinds).toHaveLength(5);
  });

  it('puts a silence of one of its alerts on its timeline', async () => {
    const [lone] = (await incidents('&status=active')).filter((i) => i.services.includes(LONE));
    const alertId = lone?.signals[0]?.alertId ?? '';
    const created = await api.post('/api/v1/silences', {
      alertId,
      duration: '30m',
      comment: 'known noisy',
      createdBy: 'ada',
    });
    expect(created.status).toBe(201);
    const { body } = await api.get(`/api/v1/incidents/${lone?.id ?? ''}`);
    const silenced = (body.timeline as TimelineEntry[]).filter((e) => e.kind === 'silenced');
    expect(silenced).toHaveLength(1);
    expect(silenced[0]?.details).toMatchObject({
      alertId,
      silenceId: created.body.silenceId,
      by: 'ada',
    });
  });
});
