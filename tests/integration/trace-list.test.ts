import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceSummary } from '../../src/contracts/api/telemetry.ts';
import { fields } from '../../src/contracts/fields.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * The trace list as Jaeger shows it, over seeded traces in the real Elasticsearch: each trace by
 * its root, with its spans, services and errors counted; filters that match any span; a trace
 * whose root was not kept; a scheduled job whose root is an INTERNAL span; the three orders.
 */
const run = Date.now().toString(36);
const FRONT = `list-front-${run}`;
const BACK = `list-back-${run}`;
const CRON = `list-cron-${run}`;
const INDEX = `lantern-spans-seed-trace-list-${run}`;
const T = Date.now() - 5 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Seed {
  service: string;
  name: string;
  kind: string;
  parent: string | null;
  at: number;
  ms: number;
  failed?: boolean;
  weight?: number;
}
function span(traceId: string, spanId: string, s: Seed): Record<string, unknown> {
  return {
    ...spanDocument({
      service: s.service,
      route: s.kind === 'SPAN_KIND_SERVER' ? (s.name.split(' ')[1] ?? '/') : '',
      at: s.at,
      durationMs: s.ms,
      failed: s.failed ?? false,
      weight: s.weight ?? 1,
      traceId,
    }),
    [fields.spanId]: spanId,
    [fields.span.name]: s.name,
    [fields.span.kind]: s.kind,
    ...(s.parent === null ? {} : { [fields.span.parentSpanId]: s.parent }),
  };
}

const checkout = { id: newTraceId(), root: newSpanId(), call: newSpanId(), served: newSpanId() };
const orphan = { id: newTraceId(), missing: newSpanId(), served: newSpanId() };
const cron = { id: newTraceId(), root: newSpanId() };
const documents = [
  span(checkout.id, checkout.root, {
    service: FRONT,
    name: 'GET /checkout',
    kind: 'SPAN_KIND_SERVER',
    parent: null,
    at: T,
    ms: 120,
    failed: true,
    weight: 4,
  }),
  span(checkout.id, checkout.call, {
    service: FRONT,
    name: 'GET',
    kind: 'SPAN_KIND_CLIENT',
    parent: checkout.root,
    at: T + 5,
    ms: 100,
    failed: true,
  }),
  span(checkout.id, checkout.served, {
    service: BACK,
    name: 'GET /stock',
    kind: 'SPAN_KIND_SERVER',
    parent: checkout.call,
    at: T + 6,
    ms: 98,
    failed: true,
  }),
  span(checkout.id, newSpanId(), {
    service: BACK,
    name: 'SELECT',
    kind: 'SPAN_KIND_CLIENT',
    parent: checkout.served,
    at: T + 7,
    ms: 90,
  }),
  // Its root (in a service that did not keep it) is missing: only the backend's part is stored.
  span(orphan.id, orphan.served, {
    service: BACK,
    name: 'GET /stock',
    kind: 'SPAN_KIND_SERVER',
    parent: orphan.missing,
    at: T + 1000,
    ms: 40,
  }),
  span(orphan.id, newSpanId(), {
    service: BACK,
    name: 'SELECT',
    kind: 'SPAN_KIND_CLIENT',
    parent: orphan.served,
    at: T + 1001,
    ms: 300,
  }),
  // A scheduled job: no server span anywhere, its root an INTERNAL span.
  span(cron.id, cron.root, {
    service: CRON,
    name: 'nightly-report',
    kind: 'SPAN_KIND_INTERNAL',
    parent: null,
    at: T + 2000,
    ms: 900,
  }),
  ...[1, 2, 3].map((i) =>
    span(cron.id, newSpanId(), {
      service: CRON,
      name: `step ${i}`,
      kind: 'SPAN_KIND_INTERNAL',
      parent: cron.root,
      at: T + 2000 + i,
      ms: 100,
    }),
  ),
];

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(INDEX, documents);
  api = await startApi(es);
}, 120_000);
afterAll(async () => {
  await api.close();
  await es.indices.delete({ index: INDEX });
});

async function list(query: string): Promise<TraceSummary[]> {
  const window = `from=${iso(T - 60_000)}&to=${iso(T + 60_000)}`;
  const { status, body } = await api.get(`/api/v1/traces?${window}&${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body as { traces: TraceSummary[] }).traces;
}

describe('the trace list', () => {
  it('lists each trace by its root, with its spans, services and errors, found by any span', async () => {
    const rows = await list(`service=${BACK}`);
    expect(rows.map((r) => r.traceId)).toEqual([orphan.id, checkout.id]);
    expect(rows[1]).toEqual({
      traceId: checkout.id,
      service: FRONT,
      name: 'GET /checkout',
      route: '/checkout',
      startedAt: expect.stringMatching(new RegExp(`^${iso(T).slice(0, 19)}`)) as string,
      durationMs: 120,
      failed: true,
      weight: 4,
      rootKept: true,
      spans: 4,
      errors: 3,
      // Most spans first, equal counts by name.
      services: [
        { service: BACK, spans: 2 },
        { service: FRONT, spans: 2 },
      ],
    });
    // No root stored: the earliest stored span stands for it, the longest span for its length.
    expect(rows[0]).toMatchObject({
      service: BACK,
      name: 'GET /stock',
      rootKept: false,
      durationMs: 300,
      spans: 2,
      errors: 0,
      failed: false,
    });
  });

  it('lists a scheduled job, which has no server span, by its INTERNAL root', async () => {
    const [row] = await list(`service=${CRON}`);
    expect(row).toMatchObject({
      traceId: cron.id,
      service: CRON,
      name: 'nightly-report',
      spans: 4,
    });
  });

  it('matches errors and operations on any span, and orders by length or span count', async () => {
    expect((await list(`errors=true&service=${BACK}`)).map((r) => r.traceId)).toEqual([
      checkout.id,
    ]);
    expect((await list('operation=SELECT')).map((r) => r.traceId)).toEqual([
      orphan.id,
      checkout.id,
    ]);
    const mine = (rows: TraceSummary[]) =>
      rows.map((r) => r.traceId).filter((id) => [checkout.id, orphan.id, cron.id].includes(id));
    expect(mine(await list('sort=longest&limit=1000'))).toEqual([cron.id, orphan.id, checkout.id]);
    expect(mine(await list('sort=most-spans&limit=1000'))).toEqual([
      // 4, 4, 2 spans; equal counts in term order (trace id), as Elasticsearch breaks ties.
      ...[checkout.id, cron.id].sort(),
      orphan.id,
    ]);
  });
});
