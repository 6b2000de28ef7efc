import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it, vi } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { failedRequest } from '../../src/storage/queries/search-options.ts';
import { isFailedRequestSpan } from '../../src/tracing/sampler/error-span.ts';
import { newSpanId, newTraceId, sendSpans } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

/**
 * One definition of a failed request, three places that apply it: the bootstrap's sampler
 * (isFailedRequestSpan), the Collector's policies (a failed request's trace is kept whole, so
 * its spans weigh 1) and the storage query behind every error rate. Each case is sent as raw
 * OTLP to the real Collector and all three must give the same answer.
 */
const run = Date.now().toString(36);

interface Case {
  readonly name: string;
  readonly kind: 'server' | 'client';
  readonly statusError: boolean;
  readonly attributes: Record<string, number>;
  readonly failed: boolean;
}

const cases: Case[] = [
  { name: 'server-error-status', kind: 'server', statusError: true, attributes: {}, failed: true },
  {
    name: 'server-500',
    kind: 'server',
    statusError: false,
    attributes: { 'http.response.status_code': 500 },
    failed: true,
  },
  {
    name: 'server-503-old-convention',
    kind: 'server',
    statusError: false,
    attributes: { 'http.status_code': 503 },
    failed: true,
  },
  {
    name: 'server-404',
    kind: 'server',
    statusError: false,
    attributes: { 'http.response.status_code': 404 },
    failed: false,
  },
  {
    name: 'client-500',
    kind: 'client',
    statusError: false,
    attributes: { 'http.response.status_code': 500 },
    failed: false,
  },
  {
    name: 'server-200',
    kind: 'server',
    statusError: false,
    attributes: { 'http.response.status_code': 200 },
    failed: false,
  },
];

/** The span as the bootstrap's sampler sees it. */
const asReadable = (c: Case): ReadableSpan =>
  ({
    kind: c.kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT,
    status: { code: c.statusError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    attributes: c.attributes,
    events: [],
  }) as unknown as ReadableSpan;

const PER_CASE = 40;

describe('a failed request means the same to the bootstrap, the Collector and the queries', () => {
  it('agrees on every case', async () => {
    const service = `failed-request-${run}`;
    const now = Date.now();
    for (const c of cases) {
      await sendSpans(
        service,
        Array.from({ length: PER_CASE }, () => ({
          traceId: newTraceId(),
          spanId: newSpanId(),
          name: c.name,
          kind: c.kind,
          startMs: now,
          durationMs: 3,
          error: c.statusError,
          attributes: c.attributes,
        })),
      );
    }
    const stored = async () => {
      await es.indices.refresh({ index: indices.spans.pattern });
      const result = await es.search({
        index: indices.spans.pattern,
        size: 0,
        query: { term: { [fields.serviceName]: service } },
        aggs: {
          cases: {
            terms: { field: fields.span.name, size: 20 },
            aggs: {
              failed: { filter: failedRequest },
              weights: { terms: { field: fields.span.samplingWeight } },
            },
          },
        },
      });
      type Bucket = {
        key: string;
        doc_count: number;
        failed: { doc_count: number };
        weights: { buckets: { key: number }[] };
      };
      const buckets = (result.aggregations?.cases as { buckets: Bucket[] }).buckets;
      return new Map(buckets.map((b) => [b.key, b]));
    };
    const failing = cases.filter((c) => c.failed);
    const found = await vi.waitFor(async () => {
      const buckets = await stored();
      const short = failing.filter((c) => buckets.get(c.name)?.doc_count !== PER_CASE);
      expect(short.map((c) => c.name)).toEqual([]);
      return buckets;
    }, upTo(60_000));
    for (const c of cases) {
      const bucket = found.get(c.name);
      const verdicts = {
        bootstrap: isFailedRequestSpan(asReadable(c)),
        // Kept whole (every one of them, weight 1) by the Collector's policies.
        collector:
          bucket?.doc_count === PER_CASE && bucket.weights.buckets.every((w) => w.key === 1),
        query: bucket !== undefined && bucket.failed.doc_count === bucket.doc_count,
      };
      expect(verdicts, c.name).toEqual({
        bootstrap: c.failed,
        collector: c.failed,
        query: c.failed,
      });
    }
  });
});
