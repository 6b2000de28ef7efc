import {
  trace,
  type Attributes,
  type Context,
  type SpanKind,
  type TraceState,
} from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { BoundedMap } from './bounded-map.ts';
import type { RateAllocator } from './rate-allocator.ts';
import { samplingKey } from './sampling-key.ts';
import { probabilityOf, withProbability } from './trace-state.ts';

/** Sampling key of each trace that entered this service, read once by the tail processor. */
export type EntryKeys = BoundedMap<string, string>;

/**
 * Records every span (the tail processor decides what is exported) and fixes, when a trace
 * enters this service without a probability from upstream, the probability its non-error
 * traces are kept with. That probability travels downstream in `tracestate`.
 */
export class AdaptiveHeadSampler implements Sampler {
  private readonly allocator: RateAllocator;
  private readonly entryKeys: EntryKeys;
  /** The last tracestate made from nothing, reused while the probability stays the same. */
  private fresh: { probability: number; state: TraceState } | undefined;

  constructor(allocator: RateAllocator, entryKeys: EntryKeys) {
    this.allocator = allocator;
    this.entryKeys = entryKeys;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    _kind: SpanKind,
    attributes: Attributes,
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    const decision = SamplingDecision.RECORD_AND_SAMPLED;
    if (parent && (!parent.isRemote || probabilityOf(parent.traceState) !== undefined)) {
      return parent.traceState ? { decision, traceState: parent.traceState } : { decision };
    }
    const key = samplingKey(spanName, attributes);
    this.entryKeys.setIfAbsent(traceId, key);
    const probability = this.allocator.probability(key);
    return { decision, traceState: this.stateWith(parent?.traceState, probability) };
  }

  /** Most entry requests carry no tracestate: theirs is the same for the same probability. */
  private stateWith(upstream: TraceState | undefined, probability: number): TraceState {
    if (upstream) return withProbability(upstream, probability);
    if (this.fresh?.probability !== probability)
      this.fresh = { probability, state: withProbability(undefined, probability) };
    return this.fresh.state;
  }

  toString(): string {
    return 'LanternAdaptiveHeadSampler';
  }
}
