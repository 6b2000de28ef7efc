import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.ts';
import { createExporters } from './exporters.ts';
import { defaultInstrumentations } from './instrumentations.ts';
import { bridgeLegacyLogsApi } from './legacy-logs-bridge.ts';
import { LanternContextManager } from './patches/context-manager.ts';
import { adaptiveSampling, type AdaptiveSampling } from './sampling.ts';

/** Everything the bootstrap builds from its configuration, not yet registered. */
export interface Components {
  readonly sdk: NodeSDK;
  /** Absent when traces are off. */
  readonly sampling: AdaptiveSampling | undefined;
}

function logBatches(exporter: LogRecordExporter, config: TelemetryConfig): BatchLogRecordProcessor {
  return new BatchLogRecordProcessor({
    exporter,
    scheduledDelayMillis: config.exportDelayMs,
    maxQueueSize: 4096,
  });
}

function metricReader(
  exporter: PushMetricExporter,
  config: TelemetryConfig,
): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.metricIntervalMs,
  });
}

/**
 * The exporters, the adaptive sampler in front of the span exporter, the log and metric
 * pipelines, and the chosen instrumentations, handed to one NodeSDK.
 */
export function createComponents(config: TelemetryConfig): Components {
  const exporters = createExporters(config);
  const sampling = exporters.spans && adaptiveSampling(config, exporters.spans);
  const sdk = new NodeSDK({
    contextManager: new LanternContextManager(),
    // Traces off: nothing is recorded, but trace context still propagates (and logs carry it).
    sampler: sampling?.sampler ?? new AlwaysOffSampler(),
    spanProcessors: sampling ? [sampling.processor] : [],
    logRecordProcessors: exporters.logs ? [logBatches(exporters.logs, config)] : [],
    metricReaders: exporters.metrics ? [metricReader(exporters.metrics, config)] : [],
    instrumentations: defaultInstrumentations(config),
  });
  return { sdk, sampling };
}

/**
 * Makes the components the process's own: the SDK registers its providers, context manager and
 * instrumentations globally; then winston's older logs API is pointed at the same provider, and
 * the sampler's metrics are created on the now-global meter provider.
 */
export function registerComponents({ sdk, sampling }: Components): void {
  sdk.start();
  bridgeLegacyLogsApi();
  sampling?.observe();
}

/** Stops what runs beside the SDK, then flushes and shuts the SDK down. */
export function stopComponents({ sdk, sampling }: Components): Promise<void> {
  sampling?.stop();
  return sdk.shutdown();
}
