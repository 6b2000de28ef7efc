import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { loadTelemetryConfig, type TelemetryConfig } from './config.ts';
import { warnOnce } from './diagnostics.ts';
import { ReportingExporter } from './export-failures.ts';
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

const signalUrl = (config: TelemetryConfig, path: string, variable: string): string | undefined =>
  process.env[variable] ? undefined : `${config.otlpEndpoint}${path}`;

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
  // Exports in flight (each retrying for seconds when the Collector is away) hold their batch:
  // the exporters' default of 30 kept ~60 MB alive with the Collector down; beyond the limit a
  // batch is dropped and counted. 4 is plenty while the Collector answers in milliseconds.
  const concurrencyLimit = 4;
  if (config.disabled) return { shutdown: () => Promise.resolve() };
  try {
    const tracesUrl = signalUrl(config, '/v1/traces', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const logsUrl = signalUrl(config, '/v1/logs', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
    const metricsUrl = signalUrl(config, '/v1/metrics', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
    const spanExporter = new ReportingExporter(
      'spans',
      tracesUrl ?? 'its endpoint',
      new OTLPTraceExporter({ ...(tracesUrl && { url: tracesUrl }), concurrencyLimit }),
    );
    const logExporter = new ReportingExporter(
      'logs',
      logsUrl ?? 'its endpoint',
      new OTLPLogExporter({ ...(logsUrl && { url: logsUrl }), concurrencyLimit }),
    );
    const batch = (): BatchSpanProcessor =>
      new BatchSpanProcessor({
        exporter: spanExporter,
        scheduledDelayMillis: config.exportDelayMs,
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
      });
    const { sampler, processor, monitor, sweeper } = sampling(config, {
      priority: batch(),
      sampled: batch(),
    });
    const sdk = new NodeSDK({
      sampler,
      spanProcessors: [processor],
      logRecordProcessors: [
        new BatchLogRecordProcessor({
          exporter: logExporter,
          scheduledDelayMillis: config.exportDelayMs,
          maxQueueSize: 4096,
        }),
      ],
      metricReaders: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(metricsUrl ? { url: metricsUrl } : {}),
          exportIntervalMillis: config.metricIntervalMs,
        }),
      ],
      instrumentations: defaultInstrumentations(),
    });
    sdk.start();
    bridgeLegacyLogsApi();
    monitor.observe(processor);
    let stopping: Promise<void> | undefined;
    const shutdown = (): Promise<void> => {
      stopping ??= (async () => {
        clearInterval(sweeper);
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
