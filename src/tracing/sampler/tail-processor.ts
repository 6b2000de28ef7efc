import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { BoundedMap } from './bounded-map.ts';
import { decide, type Decision } from './decision.ts';
import { isErrorSpan } from './error-span.ts';
import type { EntryKeys } from './head-sampler.ts';
import type { RateAllocator } from './rate-allocator.ts';
import { probabilityOf } from './trace-state.ts';
import { withWeight } from './weighted-span.ts';

export interface TailSamplerOptions {
  readonly latencyThresholdMs: number;
  /** Traces held at once; beyond it the oldest is decided early. */
  readonly maxTraces: number;
  /** Spans held at once over all traces; beyond it the oldest trace is decided early. */
  readonly maxSpans: number;
  /** A trace whose local root has not ended after this long is decided with what it has. */
  readonly maxTraceAgeMs: number;
  readonly now: () => number;
}

/**
 * Where kept spans go. Error and slow traces have a queue of their own, so a backlog of
 * sampled traffic (say, while the Collector is down) can never crowd them out.
 */
export interface KeptSpanSinks {
  readonly priority: SpanProcessor;
  readonly sampled: SpanProcessor;
}

/** Where decisions are counted (metrics in production, a recorder in tests). */
export interface SamplerMonitor {
  decided(decision: Decision, early: boolean): void;
}

interface PendingTrace {
  readonly traceId: string;
  readonly startedAt: number;
  readonly spans: ReadableSpan[];
  openRoots: number;
  hasError: boolean;
  rootDurationMs: number;
  probability: number;
}

const isLocalRoot = (span: { parentSpanContext?: { isRemote?: boolean } }): boolean =>
  span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true;

const durationMs = (span: ReadableSpan): number => span.duration[0] * 1e3 + span.duration[1] / 1e6;

/**
 * The adaptive tail sampler. Holds the spans of each trace until its local roots have ended
 * (or it grows too old, or memory caps are hit), decides once per trace, and passes the spans
 * of kept traces, each with its sampling weight, to the exporting processor.
 */
export class TailSamplingProcessor implements SpanProcessor {
  private readonly pending = new Map<string, PendingTrace>();
  /**
   * Recent decisions to keep, so a kept trace's late spans follow it. Dropped traces, nearly
   * all of them, are not remembered: a span of theirs that ends late is dropped unless it is an
   * error, as a remembered drop would decide, and holding the ids of every dropped trace long
   * enough to matter cost the host more garbage collection than the rest of the sampler.
   */
  private readonly kept = new BoundedMap<string, Decision>(10_000);
  private heldSpans = 0;

  private readonly sinks: KeptSpanSinks;
  private readonly allocator: RateAllocator;
  private readonly entryKeys: EntryKeys;
  private readonly options: TailSamplerOptions;
  private readonly monitor: SamplerMonitor;

  constructor(
    sinks: KeptSpanSinks,
    allocator: RateAllocator,
    entryKeys: EntryKeys,
    options: TailSamplerOptions,
    monitor: SamplerMonitor,
  ) {
    this.sinks = sinks;
    this.allocator = allocator;
    this.entryKeys = entryKeys;
    this.options = options;
    this.monitor = monitor;
  }

  /** Spans and traces currently held (for metrics and the memory-cap tests). */
  get held(): { traces: number; spans: number } {
    return { traces: this.pending.size, spans: this.heldSpans };
  }

  onStart(span: Span): void {
    const { traceId, traceState } = span.spanContext();
    if (this.kept.get(traceId)) return;
    let trace = this.pending.get(traceId);
    if (!trace) {
      // A local parent whose trace is no longer held: that trace was decided here and dropped.
      if (!isLocalRoot(span)) return;
      trace = {
        traceId,
        startedAt: this.options.now(),
        spans: [],
        openRoots: 1,
        hasError: false,
        rootDurationMs: 0,
        probability: probabilityOf(traceState) ?? 1,
      };
      this.pending.set(traceId, trace);
      this.enforceCaps(); // a new trace may push the oldest one out
      return;
    }
    if (isLocalRoot(span)) trace.openRoots += 1;
  }

  onEnd(span: ReadableSpan): void {
    const { traceId } = span.spanContext();
    const trace = this.pending.get(traceId);
    if (!trace) {
      this.lateSpan(span, this.kept.get(traceId));
      return;
    }
    trace.spans.push(span);
    this.heldSpans += 1;
    if (isErrorSpan(span)) trace.hasError = true;
    if (isLocalRoot(span)) {
      trace.openRoots -= 1;
      trace.rootDurationMs = Math.max(trace.rootDurationMs, durationMs(span));
      if (trace.openRoots <= 0) this.settle(trace, false);
    }
    this.enforceCaps();
  }

  /** Decides traces that have waited longer than maxTraceAgeMs. */
  sweep(): void {
    const oldest = this.options.now() - this.options.maxTraceAgeMs;
    for (const trace of this.pending.values()) {
      if (trace.startedAt > oldest) break; // insertion order = start order
      this.settle(trace, true);
    }
  }

  async forceFlush(): Promise<void> {
    for (const trace of [...this.pending.values()]) this.settle(trace, true);
    await Promise.all([this.sinks.priority.forceFlush(), this.sinks.sampled.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    for (const trace of [...this.pending.values()]) this.settle(trace, true);
    await Promise.all([this.sinks.priority.shutdown(), this.sinks.sampled.shutdown()]);
  }

  private sinkFor(decision: Decision): SpanProcessor {
    return decision.reason === 'probabilistic' ? this.sinks.sampled : this.sinks.priority;
  }

  private enforceCaps(): void {
    const { maxTraces, maxSpans } = this.options;
    while (this.pending.size > maxTraces || this.heldSpans > maxSpans) {
      const oldest = this.pending.values().next().value;
      if (!oldest) return;
      this.settle(oldest, true);
    }
  }

  /**
   * A span ending after its trace was decided follows a decision to keep; of a dropped trace
   * (no decision remembered), only an error span is kept.
   */
  private lateSpan(span: ReadableSpan, kept: Decision | undefined): void {
    if (kept) this.sinkFor(kept).onEnd(withWeight(span, kept.weight));
    else if (isErrorSpan(span)) this.sinks.priority.onEnd(withWeight(span, 1));
  }

  private settle(trace: PendingTrace, early: boolean): void {
    this.pending.delete(trace.traceId);
    this.heldSpans -= trace.spans.length;
    const decision = decide(trace, this.options.latencyThresholdMs);
    const entryKey = this.entryKeys.take(trace.traceId);
    if (decision.reason === 'probabilistic' && entryKey !== undefined)
      this.allocator.record(entryKey);
    this.monitor.decided(decision, early);
    if (!decision.keep) return;
    this.kept.setIfAbsent(trace.traceId, decision);
    const sink = this.sinkFor(decision);
    for (const span of trace.spans) sink.onEnd(withWeight(span, decision.weight));
  }
}
