import { afterAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { serviceCalls } from '../../src/storage/queries/service-calls.ts';
import { spansOfTraces } from '../../src/storage/queries/stored-traces.ts';
import { es } from '../../tools/harness/stores.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * Span ids are neither indexed nor sorted on (templates.ts): a trace's spans are paged without
 * them, and a parent is found among the spans of its trace.
 */
const run = Date.now().toString(36);
const index = `${indices.spans.prefix}-seed-traces-${run}`;
/** A daily index made by template v4, which indexed span and parent ids. */
const olderIndex = `${indices.spans.prefix}-seed-traces-older-${run}`;
const at = Date.parse('2021-03-04T05:06:07Z');

afterAll(async () => {
  await es.indices.delete({ index: [index, olderIndex], ignore_unavailable: true });
});

const span = (traceId: string, service: string, extra: Record<string, unknown> = {}) => ({
  ...spanDocument({ service, route: '/x', at, durationMs: 5, failed: false, weight: 2, traceId }),
  ...extra,
});

describe("reading a trace's spans", () => {
  it('pages spans that started at the same instant without losing or repeating one', async () => {
    const [wide, narrow, after] = [newTraceId(), newTraceId(), newTraceId()].sort();
    const documents = [
      ...Array.from({ length: 7 }, () => span(wide ?? '', `traces-${run}`)),
      span(narrow ?? '', `traces-${run}`),
      ...Array.from({ length: 4 }, () => span(after ?? '', `traces-${run}`)),
    ];
    await bulkLoad(index, documents);

    const read: (readonly string[])[] = [];
    // Pages of 3: the first page ends inside the first trace, every later one inside a trace.
    for await (const spans of spansOfTraces(es, [after ?? '', wide ?? '', narrow ?? ''], {
      page: 3,
    })) {
      read.push(spans.map((s) => String(s[fields.spanId])));
    }

    const idsOf = (traceId: string | undefined) =>
      documents.filter((d) => d[fields.traceId] === traceId).map((d) => d[fields.spanId]);
    expect(read.map((ids) => [...ids].sort())).toEqual(
      [wide, narrow, after].map((traceId) => idsOf(traceId).sort()),
    );
  });
});

describe('the service graph', () => {
  it("names each request's caller from its parent span in its trace, in old indices too", async () => {
    const traceId = newTraceId();
    const [gateway, server] = [newSpanId(), newSpanId()];
    await bulkLoad(index, [
      span(traceId, `gateway-${run}`, { [fields.spanId]: gateway }),
      span(traceId, `cart-${run}`, {
        [fields.spanId]: server,
        [fields.span.parentSpanId]: gateway,
      }),
      // A span of another trace with the same id as the parent is no caller of this request.
      span(newTraceId(), `impostor-${run}`, { [fields.spanId]: gateway }),
      // A root with an empty parent id calls no one.
      span(newTraceId(), `root-${run}`, { [fields.span.parentSpanId]: '' }),
    ]);

    await es.indices.create({
      index: olderIndex,
      mappings: {
        properties: {
          [fields.spanId]: { type: 'keyword' },
          [fields.span.parentSpanId]: { type: 'keyword', doc_values: false },
        },
      },
    });
    const [olderTrace, client] = [newTraceId(), newSpanId()];
    await bulkLoad(olderIndex, [
      span(olderTrace, `gateway-${run}`, {
        [fields.spanId]: client,
        [fields.span.kind]: 'SPAN_KIND_CLIENT',
      }),
      span(olderTrace, `orders-${run}`, { [fields.span.parentSpanId]: client }),
    ]);

    const calls = await serviceCalls(es, {
      from: new Date(at - 1000).toISOString(),
      to: new Date(at + 1000).toISOString(),
    });

    expect(
      calls
        .filter((call) => call.child.endsWith(run))
        .sort((a, b) => a.child.localeCompare(b.child))
        .map(({ parent, child, calls }) => ({ parent, child, calls })),
    ).toEqual([
      { parent: `gateway-${run}`, child: `cart-${run}`, calls: 2 },
      { parent: `gateway-${run}`, child: `orders-${run}`, calls: 2 },
    ]);
  });
});
