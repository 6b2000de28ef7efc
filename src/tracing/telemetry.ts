import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { loadTelemetryConfig, type TelemetryConfig } from './config.ts';
import { LanternContextManager } from './context-manager.ts';
import { warnOnce } from './diagnostics.ts';
import { createExporters } from './exporters.ts';
import { flushOnExit } from './flush-on-exit.ts';
import { defaultInstrumentations } from './instrumentations.ts';
import { bridgeLegacyLogsApi } from './legacy-logs-bridge.ts';
import { BoundedMap } from './sampler/bounded-map.ts';
import { AdaptiveHeadSampler, type EntryKeys } from './sampler/head-sampler.ts';
import { RateAllocator } from './sampler/rate-allocator.ts';
import { meteredMonitor } from './sampler/sampler-monitor.ts';
import { TailSamplingProcessor, type KeptSpanSinks } from './sampler/tail-processor.ts';

/** What {@link startTelemetry} returns. */
export interface TelemetryHandle {
  /** Flushes every pending span, log record and metric, then stops. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  /** Flush on SIGTERM, SIGINT and beforeExit (default true). */
  readonly flushOnExit?: boolean;
}

function sampling(config: TelemetryConfig, sinks: KeptSpanSinks) {
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
    sinks,
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
  }, 1000);
  sweeper.unref();
  return { sampler: new AdaptiveHeadSampler(allocator, entryKeys), processor, monitor, sweeper };
}

/**
 * Instruments this process: auto-instrumentations, the adaptive tail sampler, and OTLP/HTTP
 * export of traces, logs and metrics to the Collector. Never throws: a failure is reported
 * once and leaves the host running uninstrumented.
 */
export function startTelemetry(options: StartOptions = {}): TelemetryHandle {
  const config = loadTelemetryConfig();
  if (config.disabled) return { shutdown: () => Promise.resolve() };
  try {
    const exporters = createExporters(config);
    const batch = (exporter: SpanExporter): BatchSpanProcessor =>
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: config.exportDelayMs,
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
      });
    const tracing =
      exporters.spans &&
      sampling(config, { priority: batch(exporters.spans), sampled: batch(exporters.spans) });
    const sdk = new NodeSDK({
      contextManager: new LanternContextManager(),
      // Traces off: nothing is recorded, but trace context still propagates (and logs carry it).
      sampler: tracing?.sampler ?? new AlwaysOffSampler(),
      spanProcessors: tracing ? [tracing.processor] : [],
      logRecordProcessors: exporters.logs
        ? [
            new BatchLogRecordProcessor({
              exporter: exporters.logs,
              scheduledDelayMillis: config.exportDelayMs,
              maxQueueSize: 4096,
            }),
          ]
        : [],
      metricReaders: exporters.metrics
        ? [
            new PeriodicExportingMetricReader({
              exporter: exporters.metrics,
              exportIntervalMillis: config.metricIntervalMs,
            }),
          ]
        : [],
      instrumentations: defaultInstrumentations(config),
    });
    sdk.start();
    bridgeLegacyLogsApi();
    tracing?.monitor.observe(tracing.processor);
    let stopping: Promise<void> | undefined;
    const shutdown = (): Promise<void> => {
      stopping ??= (async () => {
        if (tracing) clearInterval(tracing.sweeper);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            warnOnce(
              `flushing telemetry took longer than ${config.shutdownTimeoutMs} ms; giving up`,
            );
            resolve();
          }, config.shutdownTimeoutMs);
          timer.unref();
        });
        await Promise.race([
          sdk.shutdown().catch((error: unknown) => {
            warnOnce(`shutdown failed: ${String(error)}`);
          }),
          timeout,
        ]);
        clearTimeout(timer);
      })();
      return stopping;
    };
    if (options.flushOnExit ?? true) flushOnExit(shutdown);
    return { shutdown };
  } catch (error) {
    warnOnce(`telemetry is off: could not start the OpenTelemetry SDK (${String(error)})`);
    return { shutdown: () => Promise.resolve() };
  }
}
