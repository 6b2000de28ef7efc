import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Signal, TelemetryConfig } from './config.ts';
import { ReportingExporter } from './export-failures.ts';

/**
 * Exports in flight (each retrying for seconds when the Collector is away) hold their batch, so
 * the exporters' much higher default kept a host's memory growing with the Collector down;
 * beyond the limit a batch is dropped and counted. A few suffice while the Collector answers
 * in milliseconds.
 */
const concurrencyLimit = 4;

/**
 * The URL Lantern gives each signal's exporter: the Collector's base URL and the signal's path,
 * unless the signal's own OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT is set, which the exporter reads.
 */
export function signalUrls(
  config: Pick<TelemetryConfig, 'otlpEndpoint' | 'ownEndpoint'>,
): Readonly<Record<Signal, string | undefined>> {
  const url = (signal: Signal): string | undefined =>
    config.ownEndpoint[signal] ? undefined : `${config.otlpEndpoint}/v1/${signal}`;
  return { traces: url('traces'), logs: url('logs'), metrics: url('metrics') };
}

interface ExporterOptions {
  readonly url?: string;
  readonly concurrencyLimit: number;
}

export interface Exporters {
  readonly spans?: SpanExporter;
  readonly logs?: LogRecordExporter;
  readonly metrics?: PushMetricExporter;
}

/**
 * One OTLP/HTTP exporter per signal whose OTEL_<SIGNAL>_EXPORTER is `otlp`, encoded as
 * OTEL_EXPORTER_OTLP_PROTOCOL says; spans and logs report failing exports on stderr.
 */
export function createExporters(config: TelemetryConfig): Exporters {
  const encoded = <T>(
    Json: new (options: ExporterOptions) => T,
    Protobuf: new (options: ExporterOptions) => T,
    url: string | undefined,
  ): T => {
    const options = { ...(url && { url }), concurrencyLimit };
    return config.otlpProtocol === 'http/json' ? new Json(options) : new Protobuf(options);
  };
  const { traces: tracesUrl, logs: logsUrl, metrics: metricsUrl } = signalUrls(config);
  return {
    ...(config.tracesExporter === 'otlp' && {
      spans: new ReportingExporter(
        'spans',
        tracesUrl ?? 'its endpoint',
        encoded<SpanExporter>(JsonTraceExporter, ProtobufTraceExporter, tracesUrl),
      ),
    }),
    ...(config.logsExporter === 'otlp' && {
      logs: new ReportingExporter(
        'logs',
        logsUrl ?? 'its endpoint',
        encoded<LogRecordExporter>(JsonLogExporter, ProtobufLogExporter, logsUrl),
      ),
    }),
    ...(config.metricsExporter === 'otlp' && {
      metrics: encoded<PushMetricExporter>(JsonMetricExporter, ProtobufMetricExporter, metricsUrl),
    }),
  };
}
