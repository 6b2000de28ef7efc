import { describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import {
  eventually,
  newSpanId,
  newTraceId,
  sendGauge,
  sendLogs,
  sendSpans,
  stack,
} from '../../tools/harness/otlp.ts';
import { docsOfTrace as docsWithTraceId, es, jaegerTrace } from '../../tools/harness/stores.ts';

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
    const spans = await eventually(
      () => jaegerSpanIds(traceId),
      (ids) => ids.length === 2,
    );
    expect(spans).toEqual([rootId, childId].sort());
  });

  it('Elasticsearch holds both spans, found by an exact trace-id term query', async () => {
    const docs = await eventually(
      () => docsWithTraceId(indices.spans.pattern, traceId),
      (found) => found.length === 2,
    );
    const byId = new Map(docs.map((doc) => [doc[fields.spanId], doc]));
    expect(byId.get(childId)?.[fields.span.status]).toBe(2);
    expect(byId.get(rootId)?.[fields.span.duration]).toBe(40_000);
    expect(byId.get(rootId)?.[fields.serviceName]).toBe(service);
  });

  it('Elasticsearch holds the log records with trace id, span id, severity and attributes', async () => {
    const docs = await eventually(
      () => docsWithTraceId(indices.logs.pattern, traceId),
      (found) => found.length === 2,
    );
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
    const value = await eventually(
      async () => {
        await sendGauge(service, metric, 7.5);
        return prometheusValue(metric);
      },
      (v) => v !== undefined,
      45_000,
    );
    expect(value).toBe(7.5);
    const accepted = await eventually(
      () => prometheusValue('sum(otelcol_receiver_accepted_spans{job="otel-collector"})'),
      (v) => v !== undefined && v > 0,
      45_000,
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
