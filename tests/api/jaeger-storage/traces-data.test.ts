import { describe, expect, it } from 'vitest';
import { toTracesData, unixNanos } from '../../../src/storage/otlp-traces.ts';

/** A span document as the Collector's Elasticsearch exporter (`none` mapping) writes it. */
const stored = {
  '@timestamp': '2026-12-07T17:31:02.123456789Z',
  EndTimestamp: '2026-12-07T17:31:02.223456789Z',
  TraceId: '0af7651916cd43dd8448eb211c80319c',
  SpanId: 'b7ad6b7169203331',
  ParentSpanId: '00f067aa0ba902b7',
  Name: 'GET /cart',
  Kind: 'SPAN_KIND_SERVER',
  TraceStatus: 2,
  TraceStatusDescription: 'boom',
  Duration: 100_000,
  Link: '[{"attribute":{"k":"v"},"spanID":"00f067aa0ba902b7","traceID":"0af7651916cd43dd8448eb211c80319d"}]',
  'Resource.service.name': 'checkout',
  'Scope.name': '@opentelemetry/instrumentation-http',
  'Scope.version': '0.300.0',
  'Attributes.http.route': '/cart',
  'Attributes.http.response.status_code': 503,
  'Attributes.lantern.sampling.weight': 10,
  'Attributes.retry': true,
  'Events.exception.time': '2026-12-07T17:31:02.2Z',
  'Events.exception.exception.message': 'no stock',
};

describe('stored spans as OTLP TracesData', () => {
  it('gives every kept field back, the weight as a double', () => {
    const data = toTracesData([stored]);
    expect(data.resourceSpans).toHaveLength(1);
    const [group] = data.resourceSpans;
    expect(group?.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'checkout' } },
    ]);
    const scoped = group?.scopeSpans[0];
    expect(scoped?.scope).toEqual({
      name: '@opentelemetry/instrumentation-http',
      version: '0.300.0',
      attributes: [],
    });
    const span = scoped?.spans[0];
    expect(span?.traceId.toString('hex')).toBe(stored.TraceId);
    expect(span?.parentSpanId.toString('hex')).toBe(stored.ParentSpanId);
    expect(span).toMatchObject({
      name: 'GET /cart',
      kind: 'SPAN_KIND_SERVER',
      startTimeUnixNano: '1796664662123456789',
      endTimeUnixNano: '1796664662223456789',
      status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
    });
    expect(span?.attributes).toEqual([
      { key: 'http.route', value: { stringValue: '/cart' } },
      { key: 'http.response.status_code', value: { intValue: '503' } },
      { key: 'lantern.sampling.weight', value: { doubleValue: 10 } },
      { key: 'retry', value: { boolValue: true } },
    ]);
    expect(span?.events).toEqual([
      {
        name: 'exception',
        timeUnixNano: '1796664662200000000',
        attributes: [{ key: 'exception.message', value: { stringValue: 'no stock' } }],
      },
    ]);
    expect(span?.links[0]?.spanId.toString('hex')).toBe('00f067aa0ba902b7');
    expect(span?.links[0]?.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
  });

  it('groups spans by resource, then scope', () => {
    const sibling = { ...stored, SpanId: 'b7ad6b7169203332' };
    const otherScope = { ...stored, SpanId: 'b7ad6b7169203333', 'Scope.name': 'manual' };
    const otherService = { ...stored, SpanId: 'b7ad6b7169203334', 'Resource.service.name': 'cart' };
    const data = toTracesData([stored, sibling, otherScope, otherService]);
    expect(data.resourceSpans.map((r) => r.scopeSpans.map((s) => s.spans.length))).toEqual([
      [2, 1],
      [1],
    ]);
  });

  it('reads instants to the nanosecond, with or without a fraction', () => {
    expect(unixNanos('2026-12-07T17:31:02Z')).toBe('1796664662000000000');
    expect(unixNanos('2026-12-07T17:31:02.5Z')).toBe('1796664662500000000');
    expect(unixNanos(1796664662000)).toBe('1796664662000000000');
    expect(unixNanos(undefined)).toBe('0');
  });
});
