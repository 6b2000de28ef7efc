import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';

/** The auto-instrumentations Lantern turns on (OTEL_NODE_ENABLED_INSTRUMENTATIONS narrows them). */
export function defaultInstrumentations(): ReturnType<typeof getNodeAutoInstrumentations> {
  return getNodeAutoInstrumentations({
    // Noisy and rarely useful: a span per file read, lookup or socket.
    '@opentelemetry/instrumentation-fs': { enabled: false },
    '@opentelemetry/instrumentation-dns': { enabled: false },
    '@opentelemetry/instrumentation-net': { enabled: false },
    // Express 5 runs on the `router` package: its instrumentation repeated express's spans
    // ("middleware - patched", a second "request handler") on every request.
    '@opentelemetry/instrumentation-router': { enabled: false },
  });
}
