import { describe, expect, it, vi } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { newSpanId, newTraceId, sendSpans, type TestSpan } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);

/** Distinct trace ids stored for a service (each test uses a service name of its own). */
async function storedTraces(service: string): Promise<number> {
  await es.indices.refresh({ index: indices.spans.pattern });
  const result = await es.search({
    index: indices.spans.pattern,
    size: 0,
    query: { term: { [fields.serviceName]: service } },
    aggs: { traces: { cardinality: { field: fields.traceId, precision_threshold: 40000 } } },
  });
  return (result.aggregations?.traces as { value: number } | undefined)?.value ?? 0;
}

function traces(count: number, span: Partial<TestSpan>): TestSpan[] {
  const now = Date.now();
  return Array.from({ length: count }, () => ({
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: 'GET /health',
    startMs: now,
    durationMs: 3,
    ...span,
  }));
}

/** Waits until the count stops growing (tail_sampling decides ~1 s after the root arrives). */
async function settledCount(service: string, atLeast: number): Promise<number> {
  let last = -1;
  let current = await vi.waitFor(async () => {
    const stored = await storedTraces(service);
    expect(stored).toBeGreaterThanOrEqual(atLeast);
    return stored;
  }, upTo(40_000));
  while (current !== last) {
    last = current;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    current = await storedTraces(service);
  }
  return current;
}

describe("the Collector's tail_sampling policies (real collector)", () => {
  it('keeps every trace with an ERROR span', async () => {
    const service = `sampling-errors-${run}`;
    await sendSpans(service, traces(200, { error: true }));
    expect(await settledCount(service, 200)).toBe(200);
  });

  it('keeps every slow trace', async () => {
    const service = `sampling-slow-${run}`;
    await sendSpans(service, traces(50, { durationMs: 1500 }));
    expect(await settledCount(service, 50)).toBe(50);
  });

  it('passes through every trace the bootstrap already sampled (spans carry a weight)', async () => {
    const service = `sampling-weighted-${run}`;
    await sendSpans(service, traces(200, { attributes: { 'lantern.sampling.weight': 4.5 } }));
    expect(await settledCount(service, 200)).toBe(200);
  });

  it('samples fast, healthy, unweighted traffic instead of keeping it all', async () => {
    const service = `sampling-baseline-${run}`;
    const sent = 2000;
    for (let i = 0; i < sent; i += 500) await sendSpans(service, traces(500, {}));
    const kept = await settledCount(service, 1);
    // Default sampling_percentage is 10: expect 200, far from 2000 and from 0.
    expect(kept).toBeGreaterThan(sent * 0.05);
    expect(kept).toBeLessThan(sent * 0.2);
  });
});
