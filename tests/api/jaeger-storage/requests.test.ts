import { describe, expect, it } from 'vitest';
import {
  instant,
  jaegerKind,
  microseconds,
  storedKind,
  traceIdHex,
  traceQuery,
} from '../../../src/api/jaeger-storage/requests.ts';

describe("Jaeger's storage requests in Lantern's terms", () => {
  it('reads a search with every parameter set', () => {
    expect(
      traceQuery({
        serviceName: 'checkout',
        operationName: 'GET /cart',
        attributes: [
          { key: 'http.route', value: { value: 'stringValue', stringValue: '/cart' } },
          { key: 'http.response.status_code', value: { value: 'intValue', intValue: '503' } },
          { key: 'error', value: { value: 'boolValue', boolValue: true } },
        ],
        startTimeMin: { seconds: '1796000000', nanos: 500_000_000 },
        startTimeMax: { seconds: '1796003600', nanos: 0 },
        durationMin: { seconds: '1', nanos: 500_000 },
        durationMax: { seconds: '2', nanos: 0 },
        searchDepth: 50,
      }),
    ).toEqual({
      service: 'checkout',
      operation: 'GET /cart',
      attributes: { 'http.route': '/cart', 'http.response.status_code': 503, error: true },
      startMin: '2026-11-30T00:53:20.500Z',
      startMax: '2026-11-30T01:53:20.000Z',
      minDurationUs: 1_000_500,
      maxDurationUs: 2_000_000,
      limit: 50,
    });
  });

  it("takes Go's zero time and zero durations as no bound, and Jaeger's default depth", () => {
    const q = traceQuery({
      serviceName: '',
      startTimeMin: { seconds: '-62135596800', nanos: 0 },
      durationMin: { seconds: '0', nanos: 0 },
      searchDepth: 0,
    });
    expect(q).toMatchObject({ service: undefined, startMin: undefined, limit: 20 });
    expect(q.minDurationUs).toBeUndefined();
    expect(traceQuery({ searchDepth: 1_000_000 }).limit).toBe(10_000);
    expect(instant(undefined)).toBeUndefined();
    expect(microseconds({ seconds: '0', nanos: 999 })).toBeUndefined();
  });

  it('names span kinds both ways, and trace ids as stored (lowercase hex)', () => {
    expect(storedKind('server')).toBe('SPAN_KIND_SERVER');
    expect(storedKind('')).toBeUndefined();
    expect(jaegerKind('SPAN_KIND_CONSUMER')).toBe('consumer');
    expect(jaegerKind('SPAN_KIND_UNSPECIFIED')).toBe('');
    expect(traceIdHex(Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'))).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });
});
