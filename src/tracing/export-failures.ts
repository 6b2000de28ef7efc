import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { warnOnce } from './diagnostics.ts';

interface Exporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/**
 * Wraps an OTLP exporter so that a failing export (Collector down, refused, timed out) is
 * reported once on stderr, naming the signal and the URL, instead of only through the SDK's
 * diagnostics, which are silent unless OTEL_LOG_LEVEL is set. Counts are kept for tests.
 */
export function reportingFailures<T, E extends Exporter<T>>(
  signal: string,
  url: string,
  exporter: E,
): E & { failures: number } {
  const reporting = Object.create(exporter) as E & { failures: number };
  reporting.failures = 0;
  reporting.export = (items, resultCallback) => {
    exporter.export(items, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        reporting.failures += 1;
        warnOnce(
          `exporting ${signal} to ${url} failed (${result.error?.message ?? 'unknown error'}); ` +
            'Lantern keeps the application running and drops what it cannot send',
          `export-failed:${signal}:${url}`,
        );
      }
      resultCallback(result);
    });
  };
  return reporting;
}
