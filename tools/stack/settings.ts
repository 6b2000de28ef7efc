import { z } from 'zod';
import { StackError } from './errors.ts';
import { stackPaths, type StackPaths } from './paths.ts';
import {
  analysisReplicas,
  collectorInstances,
  collectorsOfTier,
  elasticsearchNodes,
  type Instance,
} from './topology.ts';

const port = z.coerce.number().int().min(1).max(65535);

/**
 * Ports of the local stack, each overridable by the environment variable named beside it.
 * Every server binds 127.0.0.1 only.
 */
const schema = z.object({
  LANTERN_ES_PORT: port.default(9200),
  LANTERN_ES_TRANSPORT_PORT: port.default(9300),
  LANTERN_OTLP_GRPC_PORT: port.default(4317),
  LANTERN_OTLP_HTTP_PORT: port.default(4318),
  LANTERN_COLLECTOR_HEALTH_PORT: port.default(13133),
  LANTERN_COLLECTOR_PROMETHEUS_PORT: port.default(8889),
  LANTERN_COLLECTOR_METRICS_PORT: port.default(8888),
  LANTERN_JAEGER_QUERY_PORT: port.default(16686),
  LANTERN_JAEGER_QUERY_GRPC_PORT: port.default(16685),
  /** Lantern's trace storage for Jaeger (gRPC, Jaeger's Remote Storage API v2). */
  LANTERN_JAEGER_STORAGE_PORT: port.default(17271),
  LANTERN_JAEGER_HEALTH_PORT: port.default(14133),
  LANTERN_JAEGER_METRICS_PORT: port.default(14269),
  LANTERN_PROMETHEUS_PORT: port.default(9090),
  LANTERN_ALERTMANAGER_PORT: port.default(9093),
  /** The scaled profile's analysis replicas (the first; the second is the next port). */
  LANTERN_ANALYSIS_PORT: port.default(8080),
  /** Secured mode: Elasticsearch with TLS and users, OTLP and the API behind tokens. */
  LANTERN_SECURE: z
    .enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' })
    .default('0')
    .transform((value) => value === '1' || value === 'true'),
  /**
   * The scaled profile (stack:up --scale): 3 Elasticsearch nodes, 2 gateway and 2 tail-sampling
   * Collectors, Jaeger, 2 analysis replicas. tools/stack/topology.ts.
   */
  LANTERN_SCALE: z
    .enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' })
    .default('0')
    .transform((value) => value === '1' || value === 'true'),
  /**
   * Your own changes to the Collector pipeline: a YAML file merged last over otel-collector.yaml
   * (and the tier's overlay), so otel-collector.yaml stays as shipped.
   */
  LANTERN_COLLECTOR_CONFIG: z.string().min(1).optional(),
  LANTERN_ES_HEAP: z
    .string()
    .regex(/^\d+[mg]$/, 'must look like 512m or 1g')
    .default('1g'),
});

export type StackSettings = Readonly<
  z.infer<typeof schema> & {
    /** Its state folder (LANTERN_STATE_DIR) and the shared cache (LANTERN_CACHE_DIR). */
    readonly paths: StackPaths;
  }
>;

/**
 * Reads the stack's settings once, from the environment an entry point hands in (bin/*.ts, the
 * test set-ups); every invalid variable is reported together.
 */
export function loadStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}=${String(env[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new StackError(`invalid stack settings:\n  ${problems.join('\n  ')}`);
  }
  const ports = Object.entries(result.data).filter(([key]) => key.endsWith('_PORT'));
  const seen = new Map<unknown, string>();
  for (const [key, value] of ports) {
    const other = seen.get(value);
    if (other) throw new StackError(`${key} and ${other} are both set to port ${String(value)}`);
    seen.set(value, key);
  }
  return Object.freeze({ ...result.data, paths: stackPaths(env) });
}

/**
 * The variables that give a child process (the sampling router) these same settings: the stack's
 * settings are handed down, never left in this process's environment for children to find.
 */
export function settingsEnv(s: StackSettings): Record<string, string> {
  const { paths, ...values } = s;
  const variables = Object.entries(values).flatMap(([key, value]): [string, string][] =>
    value === undefined
      ? []
      : [[key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value)]],
  );
  return {
    ...Object.fromEntries(variables),
    LANTERN_STATE_DIR: paths.stateDir,
    LANTERN_CACHE_DIR: paths.cacheDir,
  };
}

const loopback = '127.0.0.1';

/** Secured mode: every server that holds or serves telemetry speaks TLS. */
const webScheme = (s: StackSettings): string => (s.LANTERN_SECURE ? 'https' : 'http');

/** The URLs of one Collector instance (its ports moved by the instance's offset). */
export function collectorEndpoints(s: StackSettings, instance: Instance) {
  const at = (port: number): string => `${loopback}:${String(port + instance.offset)}`;
  return {
    otlpHttp: `${webScheme(s)}://${at(s.LANTERN_OTLP_HTTP_PORT)}`,
    otlpGrpc: at(s.LANTERN_OTLP_GRPC_PORT),
    collectorHealth: `http://${at(s.LANTERN_COLLECTOR_HEALTH_PORT)}`,
    collectorPrometheus: `${webScheme(s)}://${at(s.LANTERN_COLLECTOR_PROMETHEUS_PORT)}/metrics`,
    collectorMetrics: `http://${at(s.LANTERN_COLLECTOR_METRICS_PORT)}/metrics`,
  } as const;
}

/** The HTTP URL of one Elasticsearch node. */
export const elasticsearchUrl = (s: StackSettings, node: Instance): string =>
  `${webScheme(s)}://${loopback}:${String(s.LANTERN_ES_PORT + node.offset)}`;

/** The HTTP URL of every Elasticsearch node of the profile, first node first. */
export const elasticsearchUrls = (s: StackSettings): string[] =>
  elasticsearchNodes(s).map((node) => elasticsearchUrl(s, node));

/**
 * Base URLs of the running stack, derived from the settings. In the scaled profile the single
 * URLs name the first instance (the first node, the first gateway); the lists name them all.
 */
export function endpoints(s: StackSettings) {
  // Health endpoints, which say only up or down, stay plain in secured mode.
  const web = webScheme(s);
  const [firstCollector] = collectorInstances(s);
  return {
    elasticsearch: `${web}://${loopback}:${s.LANTERN_ES_PORT}`,
    ...collectorEndpoints(s, firstCollector ?? { name: 'collector', offset: 0 }),
    jaeger: `${web}://${loopback}:${s.LANTERN_JAEGER_QUERY_PORT}`,
    jaegerHealth: `http://${loopback}:${s.LANTERN_JAEGER_HEALTH_PORT}/status`,
    prometheus: `${web}://${loopback}:${s.LANTERN_PROMETHEUS_PORT}`,
    alertmanager: `${web}://${loopback}:${s.LANTERN_ALERTMANAGER_PORT}`,
    ...(s.LANTERN_SCALE && {
      elasticsearchNodes: elasticsearchUrls(s),
      gateways: collectorsOfTier(s, 'gateway').map(
        (instance) => collectorEndpoints(s, instance).otlpHttp,
      ),
      analysis: analysisReplicas(s).map(
        (replica) => `http://${loopback}:${String(s.LANTERN_ANALYSIS_PORT + replica.offset)}`,
      ),
    }),
  } as const;
}

export type StackEndpoints = ReturnType<typeof endpoints>;
