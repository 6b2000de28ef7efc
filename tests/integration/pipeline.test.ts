import { describe, expect, it, vi } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import {
  newSpanId,
  newTraceId,
  sendGauge,
  sendLogs,
  sendSpans,
  stack,
} from '../../tools/harness/otlp.ts';
import { docsOfTrace as docsWithTraceId, es, jaegerTrace } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);

async function jaegerSpanIds(traceId: string): Promise<string[]> {
  return (await jaegerTrace(traceId)).map((span) => span.spanID).sort();
}

async function prometheusValue(query: string): Promise<number | undefined> {
  const url = `${stack.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

describe('OTLP in → Jaeger, Elasticsearch, Prometheus out (real stack)', () => {
  const service = `pipeline-${run}`;
  const traceId = newTraceId();
  const rootId = newSpanId();
  const childId = newSpanId();
  const now = Date.now();

  it('accepts a two-span trace with one ERROR span and its logs', async () => {
    await sendSpans(service, [
      {
        traceId,
        spanId: rootId,
        name: 'GET /orders/:id',
        startMs: now,
        durationMs: 40,
        attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 500 },
      },
      {
        traceId,
        spanId: childId,
        parentSpanId: rootId,
        name: 'SELECT orders',
        startMs: now + 5,
        durationMs: 20,
        error: true,
      },
    ]);
    await sendLogs(service, [
      {
        traceId,
        spanId: rootId,
        timeMs: now + 1,
        severityNumber: 9,
        severityText: 'INFO',
        body: 'loading order 42',
      },
      {
        traceId,
        spanId: childId,
        timeMs: now + 25,
        severityNumber: 17,
        severityText: 'ERROR',
        body: 'order query failed',
        attributes: { 'db.system': 'postgresql' },
      },
    ]);
  });

  it('Jaeger returns the whole trace', async () => {
    await expect.poll(() => jaegerSpanIds(traceId), upTo()).toEqual([rootId, childId].sort());
  });

  it('Elasticsearch holds both spans, found by an exact trace-id term query', async () => {
    const docs = await vi.waitFor(async () => {
      const found = await docsWithTraceId(indices.spans.pattern, traceId);
      expect(found).toHaveLength(2);
      return found;
    }, upTo());
    const byId = new Map(docs.map((doc) => [doc[fields.spanId], doc]));
    expect(byId.get(childId)?.[fields.span.status]).toBe(2);
    expect(byId.get(rootId)?.[fields.span.duration]).toBe(40_000);
    expect(byId.get(rootId)?.[fields.serviceName]).toBe(service);
  });

  it('Elasticsearch holds the log records with trace id, span id, severity and attributes', async () => {
    const docs = await vi.waitFor(async () => {
      const found = await docsWithTraceId(indices.logs.pattern, traceId);
      expect(found).toHaveLength(2);
      return found;
    }, upTo());
    const error = docs.find((doc) => doc[fields.log.severityText] === 'ERROR');
    expect(error).toMatchObject({
      [fields.spanId]: childId,
      [fields.log.severityNumber]: 17,
      [fields.log.body]: 'order query failed',
      [fields.serviceName]: service,
      'Attributes.db.system': 'postgresql',
    });
  });

  it("Lantern's templates, not dynamic mapping, typed the id fields as keywords", async () => {
    const mapping = await es.indices.getFieldMapping({
      index: indices.logs.pattern,
      fields: [fields.traceId, fields.spanId, fields.serviceName, fields.timestamp],
    });
    const [first] = Object.values(mapping);
    const types = Object.fromEntries(
      Object.entries(first?.mappings ?? {}).map(([name, field]) => [
        name,
        (Object.values(field.mapping)[0] as { type: string }).type,
      ]),
    );
    expect(types).toEqual({
      [fields.traceId]: 'keyword',
      [fields.spanId]: 'keyword',
      [fields.serviceName]: 'keyword',
      [fields.timestamp]: 'date_nanos',
    });
  });

  it('Prometheus scrapes OTLP metrics through the Collector, and the Collector’s own metrics', async () => {
    const metric = `lantern_pipeline_test_${run}`;
    await expect
      .poll(async () => {
        await sendGauge(service, metric, 7.5);
        return prometheusValue(metric);
      }, upTo(45_000))
      .toBe(7.5);
    // The Collector's counter has been raised by every earlier test: what this test pins is
    // that it rises, in Prometheus, by the spans sent now.
    const acceptedSpans = () =>
      prometheusValue('sum(otelcol_receiver_accepted_spans{job="otel-collector"})');
    const before = await vi.waitFor(async () => {
      const value = await acceptedSpans();
      expect(value).toBeDefined();
      return value ?? 0;
    }, upTo(45_000));
    const spans = 3;
    const counted = newTraceId();
    await sendSpans(
      service,
      Array.from({ length: spans }, (_, i) => ({
        traceId: counted,
        spanId: newSpanId(),
        name: `counted ${i}`,
        startMs: Date.now(),
        durationMs: 1,
      })),
    );
    await expect
      .poll(async () => ((await acceptedSpans()) ?? 0) - before, upTo(45_000))
      .toBeGreaterThanOrEqual(spans);
  });
});
