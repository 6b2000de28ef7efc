import { loadTelemetryConfig } from './config.ts';
import { createComponents, registerComponents, stopComponents } from './components.ts';
import { warnOnce } from './diagnostics.ts';
import { flushOnExit } from './flush-on-exit.ts';
import { boundedShutdown } from './shutdown.ts';

/** What {@link startTelemetry} returns. */
export interface TelemetryHandle {
  /** Flushes every pending span, log record and metric, then stops. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  /** Flush on SIGTERM, SIGINT and beforeExit (default true). */
  readonly flushOnExit?: boolean;
}

/** The handle of a process left uninstrumented. */
const idle: TelemetryHandle = { shutdown: () => Promise.resolve() };

/**
 * Instruments this process: auto-instrumentations, the adaptive tail sampler, and OTLP/HTTP
 * export of traces, logs and metrics to the Collector. Loads the configuration, builds the
 * components, registers them and returns how to shut them down. Never throws: a failure is
 * reported once and leaves the host running uninstrumented.
 */
export function startTelemetry(options: StartOptions = {}): TelemetryHandle {
  const config = loadTelemetryConfig();
  if (config.disabled) return idle;
  try {
    const components = createComponents(config);
    registerComponents(components);
    const shutdown = boundedShutdown(() => stopComponents(components), config.shutdownTimeoutMs);
    if (options.flushOnExit ?? true) flushOnExit(shutdown);
    return { shutdown };
  } catch (error) {
    warnOnce(`telemetry is off: could not start the OpenTelemetry SDK (${String(error)})`);
    return idle;
  }
}
