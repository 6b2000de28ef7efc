import { describe, expect, it } from 'vitest';
import {
  CallTree,
  errorOrigin,
  slowCallee,
  timeOrigin,
  type ChainSpan,
} from '../../src/analysis/request-origins.ts';

const span = (
  spanId: string,
  parentSpanId: string,
  service: string,
  name: string,
  startMs: number,
  durationMs: number,
  extra: Partial<ChainSpan> = {},
): ChainSpan => ({
  spanId,
  parentSpanId,
  service,
  name,
  kind: 'SPAN_KIND_SERVER',
  failed: false,
  startMs,
  durationMs,
  ...extra,
});
const client = { kind: 'SPAN_KIND_CLIENT' };

/** web GET /checkout → (client) → pay POST /charge → (client) → db-proxy SELECT; plus stock. */
function checkout(failing: Record<string, boolean>) {
  const spans = [
    span('e', '', 'web', 'GET /checkout', 0, 100, { failed: failing.e ?? false }),
    span('c1', 'e', 'web', 'POST', 5, 60, { ...client, failed: failing.c1 ?? false }),
    span('p', 'c1', 'pay', 'POST /charge', 6, 58, { failed: failing.p ?? false }),
    span('c2', 'p', 'pay', 'SELECT', 10, 40, { ...client, failed: failing.c2 ?? false }),
    span('c3', 'e', 'web', 'GET', 30, 50, client),
    span('s', 'c3', 'stock', 'GET /stock', 31, 48),
  ];
  return new CallTree(spans[0] as ChainSpan, spans);
}

describe('where an error starts', () => {
  it('is the deepest failing span, at the operation that entered its service', () => {
    const tree = checkout({ e: true, c1: true, p: true, c2: true });
    expect(errorOrigin(tree)).toEqual({ service: 'pay', operation: 'POST /charge' });
  });

  it('is the request itself when nothing below it failed', () => {
    expect(errorOrigin(checkout({ e: true }))).toEqual({
      service: 'web',
      operation: 'GET /checkout',
    });
    expect(errorOrigin(checkout({}))).toBeUndefined();
  });
});

describe('where the time goes', () => {
  it('adds up self time per place: a call out of it that nothing below answers is its own', () => {
    // web: 100 − union([5,65], [30,80]) = 25, plus its two calls' 2 ms each = 29; pay: 58 − 40
    // = 18 plus its SELECT call (40: no span below it) = 58; stock: 48.
    expect(timeOrigin(checkout({}))).toEqual({ service: 'pay', operation: 'POST /charge' });
  });

  it('counts time covered by calls running at once only once', () => {
    // web: 130 − union([5,65], [30,80]) = 55, plus 4 = 59 (not 20 + 4, below pay and stock).
    const spans = checkout({}).spans.map((s) => (s.spanId === 'e' ? { ...s, durationMs: 130 } : s));
    expect(timeOrigin(new CallTree(spans[0] as ChainSpan, spans))).toEqual({
      service: 'web',
      operation: 'GET /checkout',
    });
  });

  it('names the deepest call into another service that alone took long enough', () => {
    // pay (58 ms) and stock (48 ms) are equally deep: the longer one.
    expect(slowCallee(checkout({}), 45)).toEqual({ service: 'pay', operation: 'POST /charge' });
    const spans = [...checkout({}).spans, span('d', 'c2', 'db', 'SELECT', 11, 38)];
    expect(slowCallee(new CallTree(spans[0] as ChainSpan, spans), 30)).toEqual({
      service: 'db',
      operation: 'SELECT',
    });
    expect(slowCallee(checkout({}), 59)).toBeUndefined();
  });
});
