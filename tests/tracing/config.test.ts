import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTelemetryConfig } from '../../src/tracing/config.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('bootstrap configuration', () => {
  it('defaults to the local Collector on 127.0.0.1 (not localhost, which may resolve to ::1)', () => {
    const config = loadTelemetryConfig({});
    expect(config.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(config.samplerTargetPerSecond).toBe(10);
    expect(config.disabled).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the standard and Lantern variables', () => {
    const config = loadTelemetryConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      LANTERN_SAMPLER_TARGET_TPS: '2.5',
      LANTERN_SAMPLER_LATENCY_MS: '250',
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_LOGS_EXPORTER: 'none',
      LANTERN_EXPRESS_LAYERS: 'all',
    });
    expect(config).toMatchObject({
      otlpProtocol: 'http/protobuf',
      logsExporter: 'none',
      tracesExporter: 'otlp',
      expressLayers: 'all',
      otlpEndpoint: 'http://collector:4318',
      samplerTargetPerSecond: 2.5,
      samplerLatencyMs: 250,
      disabled: true,
    });
  });

  it('reads only whether the variables others own are set, from the environment it was given', () => {
    expect(loadTelemetryConfig({})).toMatchObject({
      ownEndpoint: { traces: false, logs: false, metrics: false },
      insideAwsLambda: false,
    });
    const config = loadTelemetryConfig({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:4318/v1/metrics',
      LAMBDA_TASK_ROOT: '/var/task',
      _HANDLER: 'index.handler',
    });
    expect(config).toMatchObject({
      ownEndpoint: { traces: false, logs: false, metrics: true },
      insideAwsLambda: true,
    });
    expect(Object.isFrozen(config.ownEndpoint)).toBe(true);
  });

  it('warns once per bad value, naming the variable, and falls back to the default', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const env = {
      LANTERN_SAMPLER_TARGET_TPS: 'lots',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', // Lantern speaks OTLP/HTTP only
    };
    const config = loadTelemetryConfig(env);
    loadTelemetryConfig(env);
    expect(config.samplerTargetPerSecond).toBe(10);
    expect(config.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(config.otlpProtocol).toBe('http/json');
    const lines = stderr.mock.calls.map(([line]) => String(line));
    expect(lines.filter((line) => line.includes('LANTERN_SAMPLER_TARGET_TPS="lots"'))).toHaveLength(
      1,
    );
    expect(
      lines.filter((line) => line.includes('OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318"')),
    ).toHaveLength(1);
    expect(
      lines.filter((line) => line.includes('OTEL_EXPORTER_OTLP_PROTOCOL="grpc"')),
    ).toHaveLength(1);
  });
});
