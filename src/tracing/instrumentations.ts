import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import type { TelemetryConfig } from './config.ts';

/**
 * The auto-instrumentations Lantern turns on (OTEL_NODE_ENABLED_INSTRUMENTATIONS narrows them).
 * Express middleware and router layers record no span unless LANTERN_EXPRESS_LAYERS=all: each is
 * a span per layer per request that carries only the layer's name (the route still reaches
 * the server span as http.route; route handlers keep their span and its exceptions).
 */
export function defaultInstrumentations(
  config: Pick<TelemetryConfig, 'expressLayers' | 'logsExporter'>,
): ReturnType<typeof getNodeAutoInstrumentations> {
  return getNodeAutoInstrumentations({
    // Noisy and rarely useful: a span per file read, lookup or socket.
    '@opentelemetry/instrumentation-fs': { enabled: false },
    '@opentelemetry/instrumentation-dns': { enabled: false },
    '@opentelemetry/instrumentation-net': { enabled: false },
    // Express 5 runs on the `router` package: its instrumentation repeated express's spans
    // ("middleware - patched", a second "request handler") on every request.
    '@opentelemetry/instrumentation-router': { enabled: false },
    // With logs off, pino and winston keep their trace ids but skip re-reading every line.
    ...(config.logsExporter === 'none' && {
      '@opentelemetry/instrumentation-pino': { disableLogSending: true },
      '@opentelemetry/instrumentation-winston': { disableLogSending: true },
    }),
    ...(config.expressLayers === 'handlers' && {
      '@opentelemetry/instrumentation-express': {
        ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
      },
    }),
  });
}
