import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from '../../src/tracing/config.ts';
import { signalUrls } from '../../src/tracing/exporters.ts';

describe('the URL each exporter is given', () => {
  it("is the Collector's base URL and the signal's path", () => {
    expect(signalUrls(loadTelemetryConfig({}))).toEqual({
      traces: 'http://127.0.0.1:4318/v1/traces',
      logs: 'http://127.0.0.1:4318/v1/logs',
      metrics: 'http://127.0.0.1:4318/v1/metrics',
    });
  });

  it("is none for a signal whose own endpoint variable is set: that one is the exporter's to read", () => {
    const config = loadTelemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs-only:4318/v1/logs',
    });
    expect(signalUrls(config)).toEqual({
      traces: 'http://collector:4318/v1/traces',
      logs: undefined,
      metrics: 'http://collector:4318/v1/metrics',
    });
  });
});
