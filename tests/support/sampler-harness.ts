import { context, propagation, SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  TracerProvider,
  type IdGenerator,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Decision } from '../../src/tracing/sampler/decision.ts';
import { BoundedMap } from '../../src/tracing/sampler/bounded-map.ts';
import { AdaptiveHeadSampler, type EntryKeys } from '../../src/tracing/sampler/head-sampler.ts';
import { RateAllocator } from '../../src/tracing/sampler/rate-allocator.ts';
import {
  TailSamplingProcessor,
  type TailSamplerOptions,
} from '../../src/tracing/sampler/tail-processor.ts';
import { WEIGHT_ATTRIBUTE } from '../../src/contracts/sampling-weight.ts';

/** Receives what the tail sampler passes on, synchronously (an exporter would batch it). */
class KeptSpans implements SpanProcessor {
  spans: ReadableSpan[] = [];
  onStart(): void {
    // nothing to do before a span ends
  }
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  reset(): void {
    this.spans = [];
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Trace and span ids from a seeded generator: the sampler's decisions follow from trace-id
 * randomness, so a test that counts kept traces gets the same count on every run instead of
 * failing by chance now and then. Each service of a run gets a seed of its own, in order.
 */
let services = 0;
function seededIds(seed: number): IdGenerator {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex = (words: number): string =>
    Array.from({ length: words }, () => next32().toString(16).padStart(8, '0')).join('');
  return { generateTraceId: () => hex(4), generateSpanId: () => hex(2) };
}

/** One simulated service: real SDK tracer, Lantern's sampler, an in-memory exporter, a fake clock. */
export class SampledService {
  readonly clock = { now: 0 };
  readonly exporter = new KeptSpans();
  readonly decisions: { decision: Decision; early: boolean }[] = [];
  readonly allocator: RateAllocator;
  readonly processor: TailSamplingProcessor;
  readonly tracer: Tracer;

  constructor(targetPerSecond: number, options: Partial<TailSamplerOptions> = {}) {
    this.allocator = new RateAllocator({
      targetPerSecond,
      intervalMs: 1000,
      smoothing: 0.5,
      maxKeys: 100,
      now: () => this.clock.now,
    });
    const entryKeys: EntryKeys = new BoundedMap(10_000);
    this.processor = new TailSamplingProcessor(
      { priority: this.exporter, sampled: this.exporter },
      this.allocator,
      entryKeys,
      {
        latencyThresholdMs: 500,
        maxTraces: 1000,
        maxSpans: 10_000,
        maxTraceAgeMs: 30_000,
        now: () => this.clock.now,
        ...options,
      },
      { decided: (decision, early) => this.decisions.push({ decision, early }) },
    );
    services += 1;
    const provider = new TracerProvider({
      idGenerator: seededIds(services),
      sampler: new AdaptiveHeadSampler(this.allocator, entryKeys),
      spanProcessors: [this.processor],
    });
    this.tracer = provider.getTracer('sampler-test');
  }

  /** Starts a local root, as a server span for an HTTP request, optionally under a remote parent. */
  startRequest(path: string, carrier?: Record<string, string>): Span {
    const parent = carrier ? propagation.extract(context.active(), carrier) : context.active();
    return this.tracer.startSpan(
      `GET ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': path } },
      parent,
    );
  }

  /** Starts a child of `parent` in this process. */
  startChild(parent: Span, name: string): Span {
    return this.tracer.startSpan(name, {}, trace.setSpan(context.active(), parent));
  }

  exported(): ReadableSpan[] {
    return this.exporter.spans;
  }

  exportedTraceIds(): Set<string> {
    return new Set(this.exported().map((span) => span.spanContext().traceId));
  }
}

propagation.setGlobalPropagator(new W3CTraceContextPropagator());

/** The headers an instrumented HTTP client would send for a call made inside `span`. */
export function outgoingHeaders(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier;
}

export const weightOf = (span: ReadableSpan): unknown => span.attributes[WEIGHT_ATTRIBUTE];
