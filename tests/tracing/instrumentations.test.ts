import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from '../../src/tracing/config.ts';
import { defaultInstrumentations } from '../../src/tracing/instrumentations.ts';

const configOf = (name: string, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined => {
  const instrumentations = defaultInstrumentations(loadTelemetryConfig(env));
  try {
    const found = instrumentations.find((i) => i.instrumentationName === name);
    return found?.getConfig() as Record<string, unknown> | undefined;
  } finally {
    for (const instrumentation of instrumentations) instrumentation.disable();
  }
};

describe('the default instrumentations', () => {
  it('record no span for express middleware and routers unless LANTERN_EXPRESS_LAYERS=all', () => {
    expect(configOf('@opentelemetry/instrumentation-express', {})?.ignoreLayersType).toEqual([
      'middleware',
      'router',
    ]);
    expect(
      configOf('@opentelemetry/instrumentation-express', { LANTERN_EXPRESS_LAYERS: 'all' })
        ?.ignoreLayersType,
    ).toBeUndefined();
  });

  it('stop re-reading pino and winston lines when logs are off', () => {
    for (const name of [
      '@opentelemetry/instrumentation-pino',
      '@opentelemetry/instrumentation-winston',
    ]) {
      expect(configOf(name, {})?.disableLogSending).toBeFalsy();
      expect(configOf(name, { OTEL_LOGS_EXPORTER: 'none' })?.disableLogSending).toBe(true);
    }
  });

  it('leave fs, dns, net and router out', () => {
    const names = defaultInstrumentations(loadTelemetryConfig({})).map((i) => {
      i.disable();
      return i.instrumentationName;
    });
    expect(names).toContain('@opentelemetry/instrumentation-http');
    for (const off of ['fs', 'dns', 'net', 'router'])
      expect(names).not.toContain(`@opentelemetry/instrumentation-${off}`);
  });
});
