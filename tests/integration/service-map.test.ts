import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import type { Alert } from '../../src/contracts/alert.ts';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { serviceCalls } from '../../src/storage/queries/service-calls.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

const run = Date.now().toString(36);
const GATEWAY = `gateway-${run}`;
const ORDERS = `orders-${run}`;
const STOCK = `stock-${run}`;
const MAILER = `mailer-${run}`;
const MINUTE = 60_000;
// A day and more ago: no other test's spans are in this range, so a cut sample holds only ours.
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * 60 * MINUTE;
const T1 = T0 + 20 * MINUTE;
const TRACES = 600;

/** One seeded request of `callee` made by `caller` (null: a root), with its sampling weight. */
interface Call {
  caller: string | null;
  callee: string;
  kind: string;
  durationMs: number;
  failed: boolean;
  weight: number;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Each trace: gateway (root) → orders over HTTP; orders → stock in two traces of three;
 * orders → mailer over a queue in one of two. Weights are per trace, as the sampler sets them.
 */
function seed(): { calls: Call[]; documents: Record<string, unknown>[] } {
  const calls: Call[] = [];
  const documents: Record<string, unknown>[] = [];
  for (let i = 0; i < TRACES; i += 1) {
    const traceId = hex(i + 1, 32);
    const weight = [1, 2, 5][i % 3] ?? 1;
    const at = T0 + i * 1500;
    let span = 0;
    const add = (
      service: string,
      kind: string,
      parent: string | null,
      durationMs: number,
      failed = false,
    ) => {
      span += 1;
      const spanId = hex(i * 16 + span, 16);
      documents.push({
        ...spanDocument({ service, route: '/x', at, durationMs, failed, weight, traceId }),
        [fields.spanId]: spanId,
        [fields.span.kind]: kind,
        ...(parent && { [fields.span.parentSpanId]: parent }),
      });
      return spanId;
    };
    const call = (
      caller: string | null,
      callee: string,
      kind: string,
      parent: string | null,
      durationMs: number,
      failed = false,
    ) => {
      calls.push({ caller, callee, kind, durationMs, failed, weight });
      return add(callee, kind, parent, durationMs, failed);
    };
    const root = call(null, GATEWAY, 'SPAN_KIND_SERVER', null, 200 + (i % 50));
    const toOrders = add(GATEWAY, 'SPAN_KIND_CLIENT', root, 150);
    const orders = call(GATEWAY, ORDERS, 'SPAN_KIND_SERVER', toOrders, 20 + (i % 97), i % 10 === 0);
    if (i % 3 !== 2) {
      const toStock = add(ORDERS, 'SPAN_KIND_CLIENT', orders, 10);
      call(ORDERS, STOCK, 'SPAN_KIND_SERVER', toStock, 3 + (i % 13), i % 7 === 0);
    }
    if (i % 2 === 0) {
      const published = add(ORDERS, 'SPAN_KIND_PRODUCER', orders, 1);
      call(ORDERS, MAILER, 'SPAN_KIND_CONSUMER', published, 40 + (i % 31));
    }
  }
  return { calls, documents };
}

const { calls, documents } = seed();

/** Weighted requests, failed share and p95 (smallest duration holding 95% of the weight). */
function truth(rows: readonly Call[]) {
  const total = rows.reduce((sum, c) => sum + c.weight, 0);
  const failed = rows.filter((c) => c.failed).reduce((sum, c) => sum + c.weight, 0);
  let below = 0;
  const p95 = [...rows]
    .sort((a, b) => a.durationMs - b.durationMs)
    .find((c) => (below += c.weight) >= 0.95 * total)?.durationMs;
  return { total, errorRate: failed / total, p95 };
}
const edgeTruth = (caller: string, callee: string) =>
  truth(calls.filter((c) => c.caller === caller && c.callee === callee));

const alert: Alert = {
  id: hex(Date.now(), 20).slice(-20),
  rule: `map-${run}`,
  severity: 'high',
  severityRank: 3,
  state: 'firing',
  service: ORDERS,
  summary: 'orders fail',
  description: '',
  value: 0.1,
  threshold: 0.05,
  startsAt: new Date(T1).toISOString(),
  endsAt: null,
  updatedAt: new Date(T1).toISOString(),
  lastActiveAt: new Date(T1).toISOString(),
  labels: {},
  annotations: {},
  exemplarTraceIds: [],
  incidentId: null,
};

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(`lantern-spans-seed-map-${run}`, documents);
  await new AlertStore(es).commit([alert], [], { carried: [], fresh: [] });
  api = await startApi(es);
}, 120_000);
afterAll(async () => {
  await new AlertStore(es).commit([], [alert.id], { carried: [], fresh: [] });
  await api.close();
});

const range = { from: new Date(T0).toISOString(), to: new Date(T1).toISOString() };
const window = `from=${range.from}&to=${range.to}`;

describe('service map against seeded spans whose calls are known', () => {
  it('edges: weighted calls, error rate and p95 of each call, as seeded', async () => {
    const { status, body } = await api.get(`/api/v1/service-map?${window}`);
    expect(status).toBe(200);
    const edges = (body.edges as { caller: string; callee: string }[]).filter((e) =>
      e.callee.endsWith(run),
    );
    expect(edges.map((e) => `${e.caller}→${e.callee}`)).toEqual([
      `${GATEWAY}→${ORDERS}`,
      `${ORDERS}→${MAILER}`,
      `${ORDERS}→${STOCK}`,
    ]);
    for (const edge of edges as Record<string, unknown>[]) {
      const expected = edgeTruth(String(edge.caller), String(edge.callee));
      expect(edge.calls).toBeCloseTo(expected.total, 6);
      expect(edge.errorRate).toBeCloseTo(expected.errorRate, 6);
      expect(edge.p95Ms).toBeCloseTo(expected.p95 ?? -1, 3);
    }
    // The figures differ between edges: a swapped or summed edge would not pass.
    expect(edgeTruth(ORDERS, STOCK).errorRate).not.toBeCloseTo(
      edgeTruth(GATEWAY, ORDERS).errorRate,
      3,
    );
  });

  it('nodes: each service’s weighted requests, error rate, p95 and firing alerts', async () => {
    const { body } = await api.get(`/api/v1/service-map?${window}`);
    const nodes = new Map(
      (body.nodes as Record<string, unknown>[]).map((n) => [String(n.service), n]),
    );
    for (const service of [GATEWAY, ORDERS, STOCK]) {
      const expected = truth(calls.filter((c) => c.callee === service));
      const node = nodes.get(service);
      expect(node?.requests).toBeCloseTo(expected.total, 3);
      expect(node?.errorRate).toBeCloseTo(expected.errorRate, 6);
      // From 2%-wide histogram buckets, interpolated: within 2%.
      expect(Math.abs(Number(node?.p95Ms) / (expected.p95 ?? 1) - 1)).toBeLessThan(0.02);
      expect(node?.firingAlerts).toBe(service === ORDERS ? 1 : 0);
    }
    // A consumer-only service is on the map as the callee of an edge.
    expect(nodes.has(MAILER)).toBe(true);
  });

  it('a cut sample still sums each callee’s calls over the whole range', async () => {
    const cut = (await serviceCalls(es, range, 50)).filter((c) => c.child.endsWith(run));
    // 50 spans cannot hold every callee's requests of the range (600 + 400 + 300 of them).
    expect(cut.reduce((sum, c) => sum + c.latency.length, 0)).toBeLessThanOrEqual(50);
    for (const call of cut)
      expect(call.calls).toBeCloseTo(edgeTruth(call.parent, call.child).total, 6);
    expect(cut.length).toBeGreaterThan(0);
  });

  it('a bad range is a 400 naming the parameter', async () => {
    const { status, body } = await api.get(`/api/v1/service-map?from=yesterday`);
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('from');
  });
});
