import {
  BatchSpanProcessor,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { BoundedMap } from './sampler/bounded-map.ts';
import { AdaptiveHeadSampler, type EntryKeys } from './sampler/head-sampler.ts';
import { RateAllocator } from './sampler/rate-allocator.ts';
import { meteredMonitor } from './sampler/sampler-monitor.ts';
import { TailSamplingProcessor } from './sampler/tail-processor.ts';

type SamplingSettings = Pick<
  TelemetryConfig,
  | 'samplerTargetPerSecond'
  | 'samplerLatencyMs'
  | 'samplerMaxTraces'
  | 'samplerMaxSpans'
  | 'samplerMaxTraceAgeMs'
  | 'exportDelayMs'
>;

/** The adaptive sampler, assembled: what the SDK is given, and what runs beside it. */
export interface AdaptiveSampling {
  readonly sampler: Sampler;
  readonly processor: SpanProcessor;
  /** Exports the sampler's decisions as metrics; call once the SDK's meter provider is global. */
  observe(): void;
  /** Stops sweeping held traces; the processor itself flushes with the SDK. */
  stop(): void;
}

/** How often held traces are checked for age, so an unfinished trace is decided in time. */
const SWEEP_EVERY_MS = 1000;

/** A bounded batch queue towards the exporter: beyond its size, spans are dropped and counted. */
function batches(exporter: SpanExporter, config: SamplingSettings): BatchSpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    scheduledDelayMillis: config.exportDelayMs,
    maxQueueSize: 4096,
    maxExportBatchSize: 512,
  });
}

/**
 * The head sampler (fixes each entering trace's probability), the tail processor (holds a
 * trace's spans until it can decide, then hands kept ones to the batches) and the monitor that
 * counts decisions, sharing one rate allocator and one bounded map of entry keys.
 */
export function adaptiveSampling(
  config: SamplingSettings,
  exporter: SpanExporter,
): AdaptiveSampling {
  const allocator = new RateAllocator({
    targetPerSecond: config.samplerTargetPerSecond,
    intervalMs: 1000,
    smoothing: 0.5,
    maxKeys: 500,
    now: Date.now,
  });
  const entryKeys: EntryKeys = new BoundedMap(config.samplerMaxTraces * 2);
  const monitor = meteredMonitor();
  const processor = new TailSamplingProcessor(
    { priority: batches(exporter, config), sampled: batches(exporter, config) },
    allocator,
    entryKeys,
    {
      latencyThresholdMs: config.samplerLatencyMs,
      maxTraces: config.samplerMaxTraces,
      maxSpans: config.samplerMaxSpans,
      maxTraceAgeMs: config.samplerMaxTraceAgeMs,
      now: Date.now,
    },
    monitor,
  );
  const sweeper = setInterval(() => {
    processor.sweep();
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  return {
    sampler: new AdaptiveHeadSampler(allocator, entryKeys),
    processor,
    observe: () => {
      monitor.observe(processor);
    },
    stop: () => {
      clearInterval(sweeper);
    },
  };
}
