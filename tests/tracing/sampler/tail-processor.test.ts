import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { outgoingHeaders, SampledService, weightOf } from '../../support/sampler-harness.ts';

/** Drives a service hard enough that its probability for GET /hot falls far below 1. */
function saturate(service: SampledService, seconds = 5, perSecond = 2000): void {
  for (let s = 0; s < seconds; s += 1) {
    for (let i = 0; i < perSecond; i += 1) service.startRequest('/hot').end();
    service.clock.now += 1000;
  }
  service.exporter.reset();
}

describe('TailSamplingProcessor (real SDK spans, fake clock)', () => {
  it('keeps every error trace with all its spans, however low the probability', () => {
    const service = new SampledService(1);
    saturate(service);
    const failing: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const root = service.startRequest('/hot');
      const child = service.startChild(root, 'SELECT');
      if (i % 50 === 0) {
        child.setStatus({ code: SpanStatusCode.ERROR });
        failing.push(root.spanContext().traceId);
      }
      child.end();
      root.end();
    }
    const kept = service.exported();
    for (const traceId of failing) {
      const spans = kept.filter((span) => span.spanContext().traceId === traceId);
      expect(spans).toHaveLength(2);
      expect(spans.map(weightOf)).toEqual([1, 1]);
    }
    // ...and most healthy ones are dropped.
    expect(service.exportedTraceIds().size).toBeLessThan(failing.length + 50);
  });

  it('treats an exception event and an HTTP 5xx server response as errors', () => {
    const service = new SampledService(1);
    saturate(service);
    const withException = service.startRequest('/hot');
    withException.recordException(new Error('boom'));
    withException.end();
    const with503 = service.startRequest('/hot');
    with503.setAttribute('http.response.status_code', 503);
    with503.end();
    expect(service.exportedTraceIds()).toEqual(
      new Set([withException.spanContext().traceId, with503.spanContext().traceId]),
    );
    // Kept as errors, not by the probability a sampler that keeps everything would also meet.
    expect(service.decisions.slice(-2).map(({ decision }) => decision.reason)).toEqual([
      'error',
      'error',
    ]);
  });

  it('keeps every trace whose local root lasts at least the latency threshold', () => {
    const service = new SampledService(1);
    saturate(service);
    const slow = service.startRequest('/hot');
    slow.end(performanceNowPlus(600));
    expect(service.exportedTraceIds()).toEqual(new Set([slow.spanContext().traceId]));
    expect(service.decisions.at(-1)?.decision.reason).toBe('slow');
  });

  it('a cold start keeps near the target, and its weights still count to the truth', () => {
    const service = new SampledService(5);
    const sent = 100; // 100/s for the first second: 20× the target, every key new
    for (let i = 0; i < sent; i += 1) {
      service.clock.now = i * 10;
      service.startRequest(`/route-${i % 10}`).end();
    }
    const weights = service.exported().map((span) => Number(weightOf(span)));
    const estimated = weights.reduce((a, b) => a + b, 0);
    // Bounded near target + target·ln(n / target) ≈ 10 kept (all 100 before the shared budget).
    expect(weights.length).toBeLessThan(25);
    // Horvitz-Thompson: 4.9 estimated standard deviations, met with probability >= 1 - 1e-6.
    const sd = Math.sqrt(weights.reduce((sum, w) => sum + w * (w - 1), 0));
    expect(Math.abs(estimated - sent)).toBeLessThanOrEqual(4.9 * sd);
  });

  it('stamps kept spans with weight 1/p, so counts re-weight to the truth', () => {
    const service = new SampledService(20);
    saturate(service, 5, 1000);
    const sent = 10_000;
    for (let i = 0; i < sent; i += 1) service.startRequest('/hot').end();
    const weights = service.exported().map((span) => Number(weightOf(span)));
    const estimated = weights.reduce((a, b) => a + b, 0);
    expect(weights.length).toBeGreaterThan(50);
    expect(weights.length).toBeLessThan(500);
    expect(Math.abs(estimated - sent) / sent).toBeLessThan(0.15);
  });

  it('decides like the upstream service: a kept trace is complete across services', () => {
    const frontend = new SampledService(5);
    const backend = new SampledService(1000); // its own budget would keep everything
    saturate(frontend);
    const decidedBefore = frontend.decisions.length;
    const sent = 2000;
    for (let i = 0; i < sent; i += 1) {
      const root = frontend.startRequest('/hot');
      const call = frontend.startChild(root, 'GET backend');
      backend.startRequest('/api/items', outgoingHeaders(call)).end();
      call.end();
      root.end();
    }
    const kept = frontend.exportedTraceIds();
    // The frontend's probability is far below 1: most traces are dropped, some are kept.
    expect(kept.size).toBeGreaterThan(0);
    expect(kept.size).toBeLessThan(sent / 10);
    expect(backend.exportedTraceIds()).toEqual(kept);
    // Both services decided every trace once and counted each drop, the backend included.
    const drops = (decisions: SampledService['decisions']) =>
      decisions.filter(({ decision }) => !decision.keep).length;
    expect(drops(frontend.decisions.slice(decidedBefore))).toBe(sent - kept.size);
    expect(drops(backend.decisions)).toBe(sent - kept.size);
    expect(backend.decisions).toHaveLength(sent);
  });

  it('late spans follow a kept trace; of a dropped trace, only an error span is kept', () => {
    const service = new SampledService(50);
    saturate(service, 5, 1000); // keeps about 1 in 20
    const requests = Array.from({ length: 500 }, () => {
      const root = service.startRequest('/hot');
      const late = service.startChild(root, 'after the response');
      root.end();
      return { traceId: root.spanContext().traceId, root, late };
    });
    const kept = service.exportedTraceIds();
    const [failing, droppedLater, ...dropped] = requests.filter(
      ({ traceId }) => !kept.has(traceId),
    );
    if (!failing || !droppedLater) throw new Error('every trace was kept');
    expect(kept.size).toBeGreaterThan(5);
    expect(dropped.length).toBeGreaterThan(400);
    failing.late.setStatus({ code: SpanStatusCode.ERROR });
    // A span started once its trace was dropped is not held either.
    const startedAfter = service.startChild(droppedLater.root, 'later still');
    expect(service.processor.held.traces).toBe(0);
    for (const { late } of requests) late.end();
    startedAfter.end();
    const exported = service.exported();
    const spansOf = (traceId: string) =>
      exported.filter((span) => span.spanContext().traceId === traceId);
    for (const traceId of kept) expect(spansOf(traceId)).toHaveLength(2);
    expect(spansOf(failing.traceId).map((span) => [span.name, weightOf(span)])).toEqual([
      ['after the response', 1],
    ]);
    for (const { traceId } of [droppedLater, ...dropped]) expect(spansOf(traceId)).toHaveLength(0);
    expect(service.processor.held).toEqual({ traces: 0, spans: 0 });
  });

  it('caps held traces, deciding the oldest early and never dropping an error trace', () => {
    const service = new SampledService(1, { maxTraces: 10, maxSpans: 1000 });
    saturate(service);
    const failing = service.startRequest('/hot');
    service.startChild(failing, 'work').setStatus({ code: SpanStatusCode.ERROR }).end();
    const open = Array.from({ length: 100 }, () => {
      const root = service.startRequest('/hot');
      service.startChild(root, 'work').end();
      return root;
    });
    expect(service.processor.held.traces).toBeLessThanOrEqual(10);
    expect(service.decisions.filter((d) => d.early).length).toBeGreaterThanOrEqual(91);
    expect(service.exportedTraceIds()).toContain(failing.spanContext().traceId);
    // Spans ending after an early decision follow it.
    failing.end();
    for (const root of open) root.end();
    const failingSpans = service
      .exported()
      .filter((s) => s.spanContext().traceId === failing.spanContext().traceId);
    expect(failingSpans).toHaveLength(2);
  });

  it('caps held traces even when none of their spans has ended yet', () => {
    const service = new SampledService(1, { maxTraces: 10, maxSpans: 1000 });
    const open = Array.from({ length: 100 }, () => service.startRequest('/slow'));
    expect(service.processor.held.traces).toBeLessThanOrEqual(10);
    for (const root of open) root.end();
  });

  it('caps held spans', () => {
    const service = new SampledService(1, { maxTraces: 1000, maxSpans: 50 });
    const root = service.startRequest('/big');
    for (let i = 0; i < 500; i += 1) service.startChild(root, `step ${i}`).end();
    expect(service.processor.held.spans).toBeLessThanOrEqual(50);
    root.end();
  });

  it('decides traces whose root never ends once they are too old', () => {
    const service = new SampledService(1000, { maxTraceAgeMs: 10_000 });
    const stuck = service.startRequest('/stuck');
    service.startChild(stuck, 'step').end();
    service.clock.now += 11_000;
    service.processor.sweep();
    expect(service.processor.held.traces).toBe(0);
    expect(service.decisions.at(-1)?.early).toBe(true);
  });
});

/** An end time `ms` after now, in the SDK's high-resolution form. */
function performanceNowPlus(ms: number): [number, number] {
  const t = Date.now() + ms;
  return [Math.floor(t / 1000), (t % 1000) * 1e6];
}
