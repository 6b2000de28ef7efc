import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { observe } from '../../src/alerts/observe.ts';
import { parseRules, type AlertRule } from '../../src/alerts/rules.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { upTo } from '../support/polling.ts';
import { bulkLoad, logDocument, spanDocument, type SeedSpan } from '../support/seed.ts';
import { es } from '../../tools/harness/stores.ts';
import { fields } from '../../src/contracts/fields.ts';

const run = Date.now().toString(36);
const A = `svc-a-${run}`;
const B = `svc-b-${run}`;
const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 45 * MINUTE;
const T1 = T0 + 20 * MINUTE;

/** Deterministic pseudo-random numbers, so every run seeds the same truth. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function seedSpans(): SeedSpan[] {
  const random = prng(42);
  const spans: SeedSpan[] = [];
  for (let i = 0; i < 6000; i += 1) {
    const orders = i % 3 !== 0;
    spans.push({
      service: A,
      traceId: `a${i.toString(16).padStart(31, '0')}`,
      route: orders ? '/orders' : '/health',
      at: T0 + Math.floor(random() * 20 * MINUTE),
      durationMs: orders ? 20 + 400 * random() ** 2 : 1 + 4 * random(),
      failed: orders && random() < 0.1,
      weight: orders ? (i % 2 ? 4 : 1) : 2,
    });
  }
  for (let i = 0; i < 3000; i += 1) {
    spans.push({
      service: B,
      traceId: `b${i.toString(16).padStart(31, '0')}`,
      route: '/items',
      at: T0 + Math.floor(random() * 20 * MINUTE),
      durationMs: 5 + 50 * random(),
      failed: random() < 0.01,
      weight: 1,
    });
  }
  return spans;
}

const spans = seedSpans();
const traceId = randomBytes(16).toString('hex');
const traceLogs = [
  { message: 'third', at: T0 + 3000 },
  { message: 'first', at: T0 + 1000 },
  { message: 'second', at: T0 + 2000 },
];

function truth(service: string, route?: string) {
  const mine = spans.filter(
    (s) => s.service === service && (route === undefined || s.route === route),
  );
  const requests = mine.reduce((sum, s) => sum + s.weight, 0);
  const errors = mine.filter((s) => s.failed).reduce((sum, s) => sum + s.weight, 0);
  const sorted = [...mine].sort((a, b) => a.durationMs - b.durationMs);
  const percentile = (p: number): number => {
    let seen = 0;
    for (const s of sorted) {
      seen += s.weight;
      if (seen >= (p / 100) * requests) return s.durationMs;
    }
    return 0;
  };
  return {
    sampled: mine.length,
    requests,
    errors,
    rate: errors / requests,
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
  };
}

const within = (actual: unknown, expected: number, tolerance = 0.01): void => {
  expect(Math.abs(Number(actual) - expected) / expected).toBeLessThan(tolerance);
};

let api: ApiUnderTest;
beforeAll(async () => {
  const suffix = run.replace(/[^a-z0-9]/g, '');
  await bulkLoad(`lantern-spans-seed-${suffix}`, spans.map(spanDocument));
  const logs = [];
  for (let i = 0; i < 2000; i += 1) {
    const error = i < 300;
    logs.push(
      logDocument({
        service: A,
        at: T0 + 10_000 + i * 500,
        severityNumber: error ? 17 : 9,
        message: error
          ? i % 3
            ? `payment declined for order ${i}`
            : `db timeout after ${i} ms`
          : `order ${i} ok`,
        traceId: i.toString(16).padStart(32, '0'),
        spanId: i.toString(16).padStart(16, '0'),
      }),
    );
  }
  // An hour before the window, A logged one of its errors already: that pattern is not a first.
  logs.push(
    logDocument({
      service: A,
      at: T0 - 3_600_000,
      severityNumber: 17,
      message: 'db timeout after 7 ms',
      traceId: 'e'.repeat(32),
      spanId: 'e'.repeat(16),
    }),
  );
  for (let i = 0; i < 500; i += 1) {
    logs.push(
      logDocument({
        service: B,
        at: T0 + i * 1000,
        severityNumber: 9,
        message: 'fine',
        traceId: 'f'.repeat(32),
        spanId: 'f'.repeat(16),
      }),
    );
  }
  for (const { message, at } of traceLogs) {
    logs.push(
      logDocument({ service: A, at, severityNumber: 9, message, traceId, spanId: 'a'.repeat(16) }),
    );
  }
  await bulkLoad(`lantern-logs-seed-${suffix}`, logs);
  api = await startApi(es);
}, 120_000);
afterAll(() => api.close());

const window = `from=${new Date(T0).toISOString()}&to=${new Date(T1).toISOString()}`;

describe('analysis API against seeded Elasticsearch data whose truth is known', () => {
  it('/services: exact counts; weighted rates and percentiles within 1%', async () => {
    const { status, body } = await api.get(`/api/v1/services?${window}`);
    expect(status).toBe(200);
    const rows = body.services as {
      service: string;
      logs: Record<string, number>;
      requests: Record<string, unknown>;
    }[];
    const a = rows.find((row) => row.service === A);
    const b = rows.find((row) => row.service === B);
    const ta = truth(A);
    expect(a?.logs).toEqual({ count: 2003, errors: 300, errorRate: 300 / 2003 });
    expect(b?.logs.count).toBe(500);
    expect(a?.requests.count).toBe(ta.requests);
    expect(a?.requests.sampled).toBe(ta.sampled);
    expect(a?.requests.errors).toBe(ta.errors);
    within(a?.requests.errorRate, ta.rate);
    const latency = a?.requests.latencyMs as Record<string, number>;
    within(latency.p50, ta.p50);
    within(latency.p95, ta.p95);
    within(latency.p99, ta.p99);
    expect(b?.requests.count).toBe(truth(B).requests);
  });

  it('/analysis/error-rate: buckets add up to the truth; error messages grouped by pattern', async () => {
    const { body } = await api.get(
      `/api/v1/analysis/error-rate?service=${A}&${window}&interval=5m`,
    );
    const buckets = body.buckets as { requests: number; failedRequests: number }[];
    expect(buckets).toHaveLength(4);
    expect(buckets.reduce((sum, b) => sum + b.requests, 0)).toBe(truth(A).requests);
    expect(buckets.reduce((sum, b) => sum + b.failedRequests, 0)).toBe(truth(A).errors);
    const top = body.topErrors as {
      pattern: string;
      count: number;
      exampleTraceId: string;
      firstSeenInRange: boolean;
    }[];
    // The range's first payment failure is the service's first; its db timeouts were known.
    expect(top.map((t) => [t.pattern, t.count, t.firstSeenInRange])).toEqual([
      ['payment declined for order <id>', 200, true],
      ['db timeout after <id> ms', 100, false],
    ]);
    expect(top[0]?.exampleTraceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('/analysis/request-rate: every service in one answer, its buckets adding up to its truth', async () => {
    const { status, body } = await api.get(`/api/v1/analysis/request-rate?${window}&interval=5m`);
    expect(status).toBe(200);
    const services = body.services as {
      service: string;
      buckets: { start: string; requests: number; failedRequests: number }[];
    }[];
    for (const service of [A, B]) {
      const found = services.find((s) => s.service === service);
      // Four 5-minute buckets, empty ones included, starting at the window's start.
      expect(found?.buckets).toHaveLength(4);
      expect(found?.buckets.reduce((sum, b) => sum + b.requests, 0)).toBe(truth(service).requests);
      expect(found?.buckets.reduce((sum, b) => sum + b.failedRequests, 0)).toBe(
        truth(service).errors,
      );
    }
    expect(body.intervalMs).toBe(300_000);
    const bad = await api.get(`/api/v1/analysis/request-rate?${window}&interval=soon`);
    expect(bad.status).toBe(400);
  });

  it('/analysis/latency: per-route weighted percentiles within 1%', async () => {
    const { body } = await api.get(
      `/api/v1/analysis/latency?service=${A}&route=/orders&${window}&interval=10m`,
    );
    const routes = body.routes as {
      route: string;
      requests: number;
      sampled: number;
      latencyMs: Record<string, number>;
    }[];
    const t = truth(A, '/orders');
    expect(routes).toHaveLength(1);
    expect(routes[0]?.requests).toBe(t.requests);
    expect(routes[0]?.sampled).toBe(t.sampled);
    within(routes[0]?.latencyMs.p95, t.p95);
    within(routes[0]?.latencyMs.p99, t.p99);
    expect((body.buckets as unknown[]).length).toBe(2);
  });

  it('/logs?traceId: exactly that trace’s records, oldest first', async () => {
    const { status, body } = await api.get(`/api/v1/logs?traceId=${traceId}`);
    expect(status).toBe(200);
    expect(body.traceId).toBe(traceId);
    const logs = body.logs as {
      message: string;
      traceId: string;
      service: string;
      severity: string;
    }[];
    expect(logs.map((log) => log.message)).toEqual(['first', 'second', 'third']);
    expect(logs.every((log) => log.traceId === traceId && log.service === A)).toBe(true);
    const limited = await api.get(`/api/v1/logs?traceId=${traceId}&limit=2`);
    expect((limited.body.logs as unknown[]).length).toBe(2);
  });

  it('/logs search: by service, severity and words in the message, newest first', async () => {
    const { status, body } = await api.get(
      `/api/v1/logs?${window}&service=${A}&severity=error&q=${encodeURIComponent('db timeout')}`,
    );
    expect(status).toBe(200);
    const logs = body.logs as { message: string; severity: string; timestamp: string }[];
    // 300 error records; every third (i % 3 == 0) is a db timeout: i = 0, 3, … 297.
    expect(logs).toHaveLength(100);
    expect(logs.every((l) => l.message.startsWith('db timeout') && l.severity === 'ERROR')).toBe(
      true,
    );
    const times = logs.map((l) => Date.parse(l.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

describe('traces: search, and one trace whole with its logs', () => {
  const id = (n: number) => n.toString(16).padStart(16, '0');
  const root = { spanId: id(1), parent: null, service: A, name: 'GET /checkout', failed: true };
  const spans = [
    root,
    { spanId: id(2), parent: id(1), service: A, name: 'charge card', failed: false },
    { spanId: id(3), parent: id(2), service: B, name: 'GET /inventory', failed: false },
  ];
  beforeAll(async () => {
    const at = T0 + 5000;
    await bulkLoad(
      `lantern-spans-seed-trace-${run}`,
      spans.map((span, i) => ({
        ...spanDocument({
          service: span.service,
          route: span.name.replace(/^GET /, ''),
          at: at + i * 10,
          durationMs: 100 - i * 20,
          failed: span.failed,
          weight: 1,
          traceId,
        }),
        [fields.spanId]: span.spanId,
        [fields.span.name]: span.name,
        [fields.span.kind]: i === 1 ? 'SPAN_KIND_INTERNAL' : 'SPAN_KIND_SERVER',
        ...(span.parent ? { [fields.span.parentSpanId]: span.parent } : {}),
        'Events.exception.exception.message': i === 0 ? 'card declined' : undefined,
      })),
    );
  });

  it('/traces: the failed requests of a service, one row per trace', async () => {
    const failedOfA = await api.get(`/api/v1/traces?${window}&service=${A}&errors=true`);
    expect(failedOfA.status).toBe(200);
    const rows = failedOfA.body.traces as { traceId: string; failed: boolean }[];
    expect(rows).toHaveLength(100); // the default limit: A failed far more often
    expect(rows.every((row) => row.failed)).toBe(true);
    // Only this trace has the route /checkout: found by it, once, with its root request.
    const byRoute = await api.get(`/api/v1/traces?${window}&operation=/checkout`);
    expect(byRoute.body.traces).toEqual([
      expect.objectContaining({ traceId, service: A, name: root.name, failed: true }),
    ]);
    // B's span in this trace did not fail: B's failed requests are all in other traces.
    const ofB = await api.get(`/api/v1/traces?${window}&service=${B}&errors=true`);
    const bRows = ofB.body.traces as { traceId: string; failed: boolean }[];
    expect(bRows.length).toBeGreaterThan(0);
    expect(bRows.some((row) => row.traceId === traceId)).toBe(false);
    expect(bRows.every((row) => row.failed)).toBe(true);
  });

  it('/traces/:traceId: every span with its parent, weight and events, and the trace’s logs', async () => {
    const { status, body } = await api.get(`/api/v1/traces/${traceId}`);
    expect(status).toBe(200);
    const got = body.spans as {
      spanId: string;
      parentSpanId: string | null;
      service: string;
      weight: number;
      events: Record<string, unknown>;
    }[];
    expect(got.map((s) => [s.spanId, s.parentSpanId, s.service])).toEqual(
      spans.map((s) => [s.spanId, s.parent, s.service]),
    );
    expect(got[0]?.weight).toBe(1);
    expect(got[0]?.events).toEqual({ 'exception.exception.message': 'card declined' });
    expect((body.logs as { message: string }[]).map((l) => l.message)).toEqual([
      'first',
      'second',
      'third',
    ]);
    const absent = await api.get(`/api/v1/traces/${'c0ffee'.padEnd(32, '0')}`);
    expect(absent.status).toBe(404);
  });
});

describe('latency and log-count rules observe the seeded truth', () => {
  it('a p95 rule reads the true weighted p95 and names slow traces as exemplars', async () => {
    const [rule] = parseRules({
      rules: [
        {
          name: `p95-${run}`,
          kind: 'latency_percentile',
          percentile: 95,
          threshold_ms: truth(A).p95 / 2,
          window: '20m',
          severity: 'medium',
          service: A,
        },
      ],
    });
    const observed = await observe(es, rule as AlertRule, { from: T0, to: T1 });
    expect(observed).toHaveLength(1);
    within(observed[0]?.value, truth(A).p95, 0.02);
    expect(observed[0]?.active).toBe(true);
    const slowest = spans
      .filter((span) => span.service === A)
      .sort((x, y) => y.durationMs - x.durationMs)
      .slice(0, 3)
      .map((span) => span.traceId);
    expect([...(observed[0]?.exemplarTraceIds ?? [])].sort()).toEqual(slowest.sort());
  });

  it('a log_count "below" rule sees the service that went silent, not the one still logging', async () => {
    // Five minutes in which A still logs and B (which logged until T0 + 8.3 min) is silent.
    const range = { from: T0 + 10 * MINUTE, to: T0 + 15 * MINUTE };
    const silence = (service: string) =>
      parseRules({
        rules: [
          {
            name: `silent-${run}`,
            kind: 'log_count',
            op: 'below',
            threshold: 1,
            window: '5m',
            severity: 'high',
            service,
          },
        ],
      })[0] as AlertRule;
    const [b] = await observe(es, silence(B), range);
    expect(b).toMatchObject({ service: B, value: 0, active: true });
    const [a] = await observe(es, silence(A), range);
    expect(a?.service).toBe(A);
    expect(a?.value).toBe(600); // one record every 500 ms for five minutes
    expect(a?.active).toBe(false);
  });
});

describe('alerts from seeded data: evaluation, persistence, API and Alertmanager', () => {
  const rules = parseRules({
    rules: [
      {
        name: `errors-${run}`,
        kind: 'error_rate',
        threshold: 0.05,
        window: '20m',
        severity: 'high',
        service: A,
      },
      {
        name: `errors-b-${run}`,
        kind: 'error_rate',
        threshold: 0.05,
        window: '20m',
        severity: 'high',
        service: B,
      },
    ],
  });
  const clock = { now: T1 };
  const engine = () =>
    new AlertEngine(es, new AlertStore(es), rules, {
      intervalMs: 1000,
      queryOffsetMs: 0,
      alertmanager: { url: stack.alertmanager, publicUrl: 'http://127.0.0.1:8080' },
      now: () => clock.now,
      warn: (message) => {
        throw new Error(message);
      },
    });
  // One alert's whole life in one test: each step needs the state the one before it left.
  it('fires for the failing service only, survives a restarted evaluator, resolves, and tells Alertmanager each time', async () => {
    // The tests share one Elasticsearch: an engine retires alerts of rules it does not know.
    const ours = (t: { rule: string }) => t.rule.endsWith(run);
    const firing = await engine().evaluateOnce();
    expect(firing.transitions.filter(ours).map((t) => [t.service, t.from, t.to])).toEqual([
      [A, 'inactive', 'firing'],
    ]);
    const [alert] = (await api.get(`/api/v1/alerts?service=${A}`)).body.alerts as Record<
      string,
      unknown
    >[];
    expect(alert).toMatchObject({
      rule: `errors-${run}`,
      severity: 'high',
      state: 'firing',
      service: A,
      endsAt: null,
    });
    within(alert?.value, truth(A).rate);
    expect((alert?.exemplarTraceIds as string[]).length).toBeGreaterThan(0);
    expect((await api.get(`/api/v1/alerts?service=${B}&state=all`)).body.alerts).toEqual([]);
    const alertId = String(alert?.id);
    const inAlertmanager = await vi.waitFor(async () => {
      const found = (await (
        await fetch(`${stack.alertmanager}/api/v2/alerts?filter=service%3D%22${A}%22`)
      ).json()) as { labels: Record<string, string> }[];
      expect(found.length).toBeGreaterThan(0);
      return found;
    }, upTo());
    expect(inAlertmanager[0]?.labels).toMatchObject({
      alertname: `errors-${run}`,
      service: A,
      severity: 'high',
    });

    // A restarted evaluator picks the firing alert up again instead of starting it over.
    clock.now = T1 + 10_000;
    expect((await engine().evaluateOnce()).transitions).toEqual([]);
    const detail = (await api.get(`/api/v1/alerts/${alertId}`)).body;
    expect((detail.alert as Record<string, unknown>).startsAt).toBe(new Date(T1).toISOString());
    expect((detail.history as { to: string }[]).map((h) => h.to)).toEqual(['firing']);

    // Resolves when the window has no failures (a window after the seeded data, and not in the
    // future, or Alertmanager keeps it active), keeps the history, and tells Alertmanager.
    clock.now = T1 + 21 * 60_000;
    const resolving = await engine().evaluateOnce();
    expect(resolving.transitions.filter(ours).map((t) => [t.from, t.to])).toEqual([
      ['firing', 'resolved'],
    ]);
    const resolved = (await api.get(`/api/v1/alerts?service=${A}&state=resolved`)).body;
    expect((resolved.alerts as Record<string, unknown>[])[0]?.endsAt).toBe(
      new Date(clock.now).toISOString(),
    );
    expect((await api.get(`/api/v1/alerts?service=${A}`)).body.alerts).toEqual([]);
    const history = (await api.get(`/api/v1/alerts/${alertId}`)).body.history as { to: string }[];
    expect(history.map((h) => h.to)).toEqual(['firing', 'resolved']);
    const stillActive = async () =>
      (await (
        await fetch(`${stack.alertmanager}/api/v2/alerts?filter=service%3D%22${A}%22&active=true`)
      ).json()) as unknown[];
    await expect.poll(stillActive, upTo()).toEqual([]);
  });
});

/** One error-rate rule over service A (20 min windows), and an engine evaluating it at T1. */
function engineAtT1(rule: string, alertmanager?: { url: string; publicUrl: string }): AlertEngine {
  const rules = parseRules({
    rules: [
      {
        name: rule,
        kind: 'error_rate',
        threshold: 0.05,
        window: '20m',
        severity: 'high',
        service: A,
      },
    ],
  });
  return new AlertEngine(es, new AlertStore(es), rules, {
    intervalMs: 1000,
    queryOffsetMs: 0,
    alertmanager,
    now: () => T1,
    warn: (message) => {
      throw new Error(message);
    },
  });
}

describe('an alert index that refuses writes', () => {
  const rule = `blocked-${run}`;
  const index = 'lantern-alerts';
  const block = (on: boolean) =>
    es.indices.putSettings({ index, settings: { 'index.blocks.write': on } });

  it('moves no alert while Elasticsearch refuses; afterwards one transition, one Alertmanager alert', async () => {
    await es.indices.create({ index }).catch(() => undefined); // exists unless this runs first
    const engine = engineAtT1(rule, {
      url: stack.alertmanager,
      publicUrl: 'http://127.0.0.1:8080',
    });
    await block(true);
    try {
      await expect(engine.evaluateOnce()).rejects.toThrow(/saving alerts failed/);
      await expect(engine.evaluateOnce()).rejects.toThrow(/saving alerts failed/);
    } finally {
      await block(false);
    }
    const report = await engine.evaluateOnce();
    // Only this test's rule: alerts other tests left active are retired by this engine.
    const mine = report.transitions.filter((t) => t.rule === rule);
    expect(mine.map((t) => [t.rule, t.from, t.to])).toEqual([[rule, 'inactive', 'firing']]);
    expect((await engine.evaluateOnce()).transitions).toEqual([]);
    const alerts = (await api.get(`/api/v1/alerts?service=${A}`)).body.alerts as {
      id: string;
      rule: string;
    }[];
    const alert = alerts.find((candidate) => candidate.rule === rule);
    const { body } = await api.get(`/api/v1/alerts/${String(alert?.id)}`);
    expect((body.history as { to: string }[]).map((h) => h.to)).toEqual(['firing']);
    const inAlertmanager = async () =>
      (await (
        await fetch(`${stack.alertmanager}/api/v2/alerts?filter=alertname%3D%22${rule}%22`)
      ).json()) as unknown[];
    await expect.poll(inAlertmanager, upTo()).toHaveLength(1);
  });
});

describe('silences through Lantern’s API, kept by the real Alertmanager', () => {
  it('silences a firing alert by its exact labels; refuses bad input by name; 404 for no alert', async () => {
    const rule = `silenced-${run}`;
    const alertmanager = { url: stack.alertmanager, publicUrl: 'http://127.0.0.1:8080' };
    const engine = engineAtT1(rule, alertmanager);
    // This engine knows only its own rule: alerts of the other tests' rules it retires.
    const fired = (await engine.evaluateOnce()).transitions.find((t) => t.rule === rule);
    expect(fired?.to).toBe('firing');
    const withAlertmanager = await startApi(es, { alertmanager });
    try {
      const created = await withAlertmanager.post('/api/v1/silences', {
        alertId: fired?.id,
        duration: '1h',
        comment: 'deploy in progress',
      });
      expect(created.status).toBe(201);
      const silenceId = String(created.body.silenceId);
      const kept = (await (
        await fetch(`${stack.alertmanager}/api/v2/silence/${silenceId}`)
      ).json()) as {
        matchers: { name: string; value: string }[];
        comment: string;
        status: { state: string };
      };
      expect(kept.status.state).toBe('active');
      expect(kept.comment).toBe('deploy in progress');
      expect(Object.fromEntries(kept.matchers.map((m) => [m.name, m.value]))).toMatchObject({
        alertname: rule,
        service: A,
      });
      const listed = await withAlertmanager.get('/api/v1/silences');
      expect((listed.body.silences as { id: string }[]).map((s) => s.id)).toContain(silenceId);
      const bad = await withAlertmanager.post('/api/v1/silences', {
        alertId: fired?.id,
        duration: 'forever',
        comment: 'x',
      });
      expect(bad.status).toBe(400);
      expect((bad.body.error as { message: string }).message).toContain('"duration"');
      const none = await withAlertmanager.post('/api/v1/silences', {
        alertId: 'c0ffee'.padEnd(20, '0'),
        duration: '1h',
        comment: 'x',
      });
      expect(none.status).toBe(404);
      // Without an Alertmanager there is nowhere to keep a silence: a 503 that says so.
      const without = await api.post('/api/v1/silences', {
        alertId: fired?.id,
        duration: '1h',
        comment: 'x',
      });
      expect(without.status).toBe(503);
      expect((without.body.error as { message: string }).message).toContain(
        'LANTERN_ALERTMANAGER_URL',
      );
    } finally {
      await withAlertmanager.close();
    }
  });
});
