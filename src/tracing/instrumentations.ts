import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type * as Express from '@opentelemetry/instrumentation-express';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type * as Pino from '@opentelemetry/instrumentation-pino';
import type { PinoInstrumentationConfig } from '@opentelemetry/instrumentation-pino';
import type { RuntimeNodeInstrumentationConfig } from '@opentelemetry/instrumentation-runtime-node';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TelemetryConfig } from './config.ts';
import { warnOnce } from './diagnostics.ts';
import { ExpressRoutes } from './patches/express-routes.ts';
import { HttpServerSpans } from './patches/http-server-spans.ts';
import { catalogue, packageOf } from './instrumentation-catalogue.ts';
import { appFolders, canLoad } from './loadable-modules.ts';
import { withDirectLogRecords } from './patches/pino-log-records.ts';

type Choice = Pick<
  TelemetryConfig,
  'enabledInstrumentations' | 'disabledInstrumentations' | 'instrumentations' | 'insideAwsLambda'
>;

/**
 * The instrumentations Lantern turns on. OTEL_NODE_ENABLED_INSTRUMENTATIONS names them outright;
 * otherwise every one not off by default (fs, dns, net, router, host-metrics) whose library the
 * app can load, or every one with LANTERN_INSTRUMENTATIONS=all. OTEL_NODE_DISABLED_INSTRUMENTATIONS
 * takes any out.
 */
export function chosenInstrumentations(
  config: Choice,
  loadable: (module: string) => boolean = (module) => canLoad(module, appFolders()),
): string[] {
  const disabled = new Set(config.disabledInstrumentations);
  if (config.enabledInstrumentations.length > 0)
    return config.enabledInstrumentations.filter((name) => !disabled.has(name));
  return Object.entries(catalogue)
    .filter(([name, entry]) => !entry.offByDefault && !disabled.has(name))
    .filter(([, entry]) =>
      entry.modules.length === 0
        ? !entry.awsLambdaOnly || config.insideAwsLambda
        : config.instrumentations === 'all' || entry.modules.some((module) => loadable(module)),
    )
    .map(([name]) => name);
}

type Settings = Pick<TelemetryConfig, 'expressLayers' | 'logsExporter' | 'eventLoopResolutionMs'>;

/**
 * Lantern's settings for an instrumentation. Express layers record no span unless
 * LANTERN_EXPRESS_LAYERS says (`handlers`, `all`, which load OpenTelemetry's express
 * instrumentation); by default {@link ExpressRoutes} only names the server span's route (its
 * http.route), and a failing request still makes an error trace. A route handler's span lasts as
 * long as the server span and carries only its name and, when it throws, the exception, yet it
 * was the costliest part of the bootstrap per request. With logs off, pino and winston keep
 * their trace ids but skip re-reading every line. The runtime instrumentation samples
 * event-loop delay less often than Node's default: at the default its timer was most of an idle
 * process's CPU, and a stall longer than the coarser interval is still caught. The http
 * instrumentation traces outgoing requests only: {@link HttpServerSpans} records the server
 * spans, at less cost per request.
 */
function settingsOf(
  name: string,
  exports: PackageExports,
  config: Settings,
): InstrumentationConfig {
  if (name === 'runtime-node') {
    const settings: RuntimeNodeInstrumentationConfig = {
      monitoringPrecision: config.eventLoopResolutionMs,
    };
    return settings;
  }
  if (name === 'http') {
    const settings: HttpInstrumentationConfig = { disableIncomingRequestInstrumentation: true };
    return settings;
  }
  if (name === 'express' && config.expressLayers === 'handlers') {
    const { ExpressLayerType } = exports as unknown as typeof Express;
    const settings: Express.ExpressInstrumentationConfig = {
      ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
    };
    return settings;
  }
  if ((name === 'pino' || name === 'winston') && config.logsExporter === 'none') {
    const settings: PinoInstrumentationConfig = { disableLogSending: true }; // winston's alike
    return settings;
  }
  return {};
}

/**
 * Loads only the chosen packages: synchronously (the CommonJS entry has no top-level await)
 * and as the same ES modules an `import` would load, so one copy of each is in memory.
 */
const requireModule = createRequire(import.meta.url);

type PackageExports = Record<string, unknown>;
type InstrumentationClass = new (config: InstrumentationConfig) => Instrumentation;

function load(name: string): { exports: PackageExports; Instrumentation: InstrumentationClass } {
  const exports = requireModule(
    fileURLToPath(import.meta.resolve(packageOf(name))),
  ) as PackageExports;
  const found = exports[catalogue[name]?.className ?? ''];
  if (typeof found !== 'function')
    throw new Error(`${packageOf(name)} exports no ${catalogue[name]?.className ?? 'class'}`);
  const Instrumentation =
    name === 'pino'
      ? withDirectLogRecords(found as typeof Pino.PinoInstrumentation)
      : (found as InstrumentationClass);
  return { exports, Instrumentation };
}

/**
 * What one chosen name builds. Lantern's own instrumentations go beside a stock one (server
 * spans beside http, which then traces outgoing requests only) or in its place (the route namer
 * for express when its layers record no span, so the stock package is not even loaded).
 */
function build(name: string, config: Settings): Instrumentation[] {
  if (name === 'express' && config.expressLayers === 'none') return [new ExpressRoutes()];
  const { exports, Instrumentation } = load(name);
  const stock = new Instrumentation(settingsOf(name, exports, config));
  return name === 'http' ? [stock, new HttpServerSpans()] : [stock];
}

/** The chosen instrumentations, constructed; one that fails to load is reported and skipped. */
export function defaultInstrumentations(config: Choice & Settings): Instrumentation[] {
  const built: Instrumentation[] = [];
  for (const name of chosenInstrumentations(config)) {
    try {
      built.push(...build(name, config));
    } catch (error) {
      warnOnce(`instrumentation ${name} is off: ${String(error)}`);
    }
  }
  return built;
}
