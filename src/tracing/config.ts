import { z } from 'zod';
import { warnOnce } from './diagnostics.ts';
import { catalogue } from './instrumentation-catalogue.ts';

/** The signals Lantern exports over OTLP. */
export type Signal = 'traces' | 'logs' | 'metrics';

/**
 * The bootstrap's settings, read once from the environment when it starts (never at import)
 * and frozen; no other module of the bootstrap reads the environment.
 */
export interface TelemetryConfig {
  readonly disabled: boolean;
  /** OTLP/HTTP base URL of the Collector; signal paths (/v1/traces …) are appended. */
  readonly otlpEndpoint: string;
  readonly otlpProtocol: 'http/json' | 'http/protobuf';
  /** `none` turns a signal off: no span is recorded, no log record or metric is sent. */
  readonly tracesExporter: Exporter;
  readonly logsExporter: Exporter;
  readonly metricsExporter: Exporter;
  /** Instrumentations named outright (their short names: `http`, `express`); empty: not set. */
  readonly enabledInstrumentations: readonly string[];
  readonly disabledInstrumentations: readonly string[];
  /** `detected`: those whose library the app can load; `all`: every one not off by default. */
  readonly instrumentations: 'detected' | 'all';
  /** How often the runtime instrumentation samples event-loop delay, ms (Node's default is 10). */
  readonly eventLoopResolutionMs: number;
  /**
   * Which express layers record a span: `none` (the route still names the server span),
   * `handlers` (route handlers, with the exceptions they throw) or `all` (middleware and routers too).
   */
  readonly expressLayers: 'none' | 'handlers' | 'all';
  /** Kept non-error, non-slow traces per second, per service. */
  readonly samplerTargetPerSecond: number;
  /** A trace whose local root lasts at least this long is always kept. */
  readonly samplerLatencyMs: number;
  readonly samplerMaxTraces: number;
  readonly samplerMaxSpans: number;
  readonly samplerMaxTraceAgeMs: number;
  /** How often batches of spans and log records are sent. */
  readonly exportDelayMs: number;
  readonly metricIntervalMs: number;
  /** Upper bound on flushing at shutdown, so a dead Collector cannot hold the host's exit. */
  readonly shutdownTimeoutMs: number;
  /**
   * Per signal, whether its own OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT is set. That variable is
   * the exporter's to parse: Lantern then passes the exporter no URL and reads no value.
   */
  readonly ownEndpoint: Readonly<Record<Signal, boolean>>;
  /** Inside AWS Lambda, whose runtime sets LAMBDA_TASK_ROOT and _HANDLER. */
  readonly insideAwsLambda: boolean;
}

/** Settings Lantern only checks the presence of: their values belong to others. */
type Presence = Pick<TelemetryConfig, 'ownEndpoint' | 'insideAwsLambda'>;

type Exporter = 'otlp' | 'none';

const positive = z.coerce.number().positive();
const whole = z.coerce.number().int().positive();
const flag = z
  .enum(['true', 'false', 'TRUE', 'FALSE', '1', '0'])
  .transform((v) => v === 'true' || v === 'TRUE' || v === '1');
const exporter = z.enum(['otlp', 'none']);
const instrumentationList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .refine((names) => names.every((name) => name in catalogue), {
    error: (issue) =>
      `unknown instrumentation ${(issue.input as string[]).filter((name) => !(name in catalogue)).join(', ')}; known: ${Object.keys(catalogue).join(', ')}`,
  });
const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

/** Every setting: its variable, its schema and its default. */
const table = {
  disabled: ['OTEL_SDK_DISABLED', flag, false],
  otlpEndpoint: ['OTEL_EXPORTER_OTLP_ENDPOINT', httpUrl, 'http://127.0.0.1:4318'],
  otlpProtocol: [
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    z.enum(['http/json', 'http/protobuf']),
    'http/json',
  ],
  tracesExporter: ['OTEL_TRACES_EXPORTER', exporter, 'otlp'],
  logsExporter: ['OTEL_LOGS_EXPORTER', exporter, 'otlp'],
  metricsExporter: ['OTEL_METRICS_EXPORTER', exporter, 'otlp'],
  enabledInstrumentations: ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', instrumentationList, []],
  disabledInstrumentations: ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', instrumentationList, []],
  instrumentations: ['LANTERN_INSTRUMENTATIONS', z.enum(['detected', 'all']), 'detected'],
  eventLoopResolutionMs: ['LANTERN_EVENT_LOOP_RESOLUTION_MS', whole, 50],
  expressLayers: ['LANTERN_EXPRESS_LAYERS', z.enum(['none', 'handlers', 'all']), 'none'],
  samplerTargetPerSecond: ['LANTERN_SAMPLER_TARGET_TPS', positive, 10],
  samplerLatencyMs: ['LANTERN_SAMPLER_LATENCY_MS', positive, 1000],
  samplerMaxTraces: ['LANTERN_SAMPLER_MAX_TRACES', whole, 10_000],
  samplerMaxSpans: ['LANTERN_SAMPLER_MAX_SPANS', whole, 100_000],
  samplerMaxTraceAgeMs: ['LANTERN_SAMPLER_MAX_TRACE_AGE_MS', whole, 30_000],
  exportDelayMs: ['OTEL_BSP_SCHEDULE_DELAY', whole, 1000],
  metricIntervalMs: ['OTEL_METRIC_EXPORT_INTERVAL', whole, 15_000],
  shutdownTimeoutMs: ['LANTERN_SHUTDOWN_TIMEOUT_MS', whole, 5000],
} as const satisfies Record<
  Exclude<keyof TelemetryConfig, keyof Presence>,
  readonly [string, z.ZodType, unknown]
>;

const describe = (fallback: unknown): string =>
  Array.isArray(fallback) && fallback.length === 0 ? 'the default' : String(fallback);

const isSet = (value: string | undefined): boolean => value !== undefined && value !== '';

function presence(env: NodeJS.ProcessEnv): Presence {
  return {
    ownEndpoint: Object.freeze({
      traces: isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
      logs: isSet(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT),
      metrics: isSet(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
    }),
    insideAwsLambda: isSet(env.LAMBDA_TASK_ROOT) && isSet(env._HANDLER),
  };
}

/**
 * Reads the configuration. A bad value never stops the host: it is reported once, naming the
 * variable, and the default is used.
 */
export function loadTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const config: Record<string, unknown> = presence(env);
  for (const [field, [variable, schema, fallback]] of Object.entries(table)) {
    const raw = env[variable];
    if (raw === undefined || !isSet(raw)) {
      config[field] = fallback;
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) config[field] = parsed.data;
    else {
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      warnOnce(
        `${variable}=${JSON.stringify(raw)} is invalid (${reason}); using ${describe(fallback)}`,
      );
      config[field] = fallback;
    }
  }
  return Object.freeze(config) as unknown as TelemetryConfig;
}
