import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ES_USERS, securedCredentials } from './credentials.ts';
import { repoRoot, type StackPaths } from './paths.ts';
import { answers } from './ports.ts';
import { step } from './progress.ts';
import type { StackServer } from './server.ts';
import {
  collectorEndpoints,
  elasticsearchUrls,
  endpoints,
  type StackSettings,
} from './settings.ts';
import { StackError } from './errors.ts';
import { type CollectorInstance, type CollectorTier, type Instance } from './topology.ts';
import { goEnv, requireGo } from './go-build.ts';
import { run } from './toolchain.ts';
import { ensureRoutes, routesFile } from './sampling-router.ts';

/** The OpenTelemetry Collector Builder release matching every component in the manifest. */
export const BUILDER_VERSION = 'v0.152.0';
const manifestPath = join(repoRoot, 'collector', 'manifest.yaml');
/**
 * recordpolicy: tail_sampling names the policy that kept each trace, which the span weights are
 * derived from (otel-collector.yaml, transform/sampling_weight). compose.yaml passes the same.
 */
export const COLLECTOR_FEATURE_GATES = 'processor.tailsamplingprocessor.recordpolicy';

/** An instance's persistent queues: what it accepted and has not yet handed on. */
const fileStorage = (s: StackSettings, instance: Instance): string =>
  join(s.paths.stateDir, instance.name, 'file_storage');

export const collectorConfigPath = join(repoRoot, 'otel-collector.yaml');
/** Merged over collectorConfigPath in secured mode. */
export const secureCollectorConfigPath = join(repoRoot, 'otel-collector.secure.yaml');
/** Merged over collectorConfigPath for each tier of the scaled profile. */
export const tierConfigPaths: Readonly<Record<CollectorTier, string | undefined>> = {
  single: undefined,
  gateway: join(repoRoot, 'otel-collector.gateway.yaml'),
  sampling: join(repoRoot, 'otel-collector.sampling.yaml'),
};

/**
 * The Go runtime's garbage collector: at the default GOGC=100 it took about a quarter of the
 * Collector's CPU under load (profiled with pprof). GOGC=200 lets the heap grow twice as far
 * between collections: 32% less CPU per record for 22 MiB more peak RSS at 6,000 records/s.
 * GOMEMLIMIT, below memory_limiter's 1024 MiB default, makes it collect sooner whenever the heap
 * nears that. Either may be set in the environment instead.
 */
const goRuntime = (): Record<string, string> => ({
  GOGC: process.env.GOGC ?? '200',
  GOMEMLIMIT: process.env.GOMEMLIMIT ?? '800MiB',
});

/** A list as the Collector reads it from one environment variable: YAML. */
const yamlList = (items: readonly string[]): string => `[${items.join(', ')}]`;

/** The binary is cached by the manifest's hash: editing the manifest triggers a rebuild. */
export function collectorBinary(paths: StackPaths): string {
  const hash = createHash('sha256').update(readFileSync(manifestPath)).digest('hex').slice(0, 12);
  return join(paths.cacheDir, `collector-${hash}`, 'lantern-otelcol');
}

async function build(paths: StackPaths, binary: string): Promise<void> {
  const go = requireGo();
  const env = goEnv();
  const tools = join(paths.cacheDir, 'tools', `ocb-${BUILDER_VERSION}`);
  const builder = join(tools, 'builder');
  if (!existsSync(builder)) {
    step('collector', `installing the Collector Builder ${BUILDER_VERSION}`);
    await run(
      'collector',
      go,
      ['install', `go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION}`],
      {
        env: { ...env, GOBIN: tools },
      },
    );
  }
  const work = `${binary}.building`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(manifestPath, join(work, 'manifest.yaml'));
  step('collector', 'building the Collector from collector/manifest.yaml (several minutes, once)');
  await run('collector', builder, ['--config', 'manifest.yaml'], { cwd: work, env });
  mkdirSync(join(binary, '..'), { recursive: true });
  renameSync(join(work, 'build', 'lantern-otelcol'), binary);
  rmSync(work, { recursive: true, force: true });
}

/** One Collector of the stack: the default profile's only one, or one of a tier. */
export function collectorServer(instance: CollectorInstance): StackServer {
  const at = (port: number): number => port + instance.offset;
  return {
    name: instance.name,
    startTimeoutSeconds: 60,
    dataDirs: (s) => [fileStorage(s, instance)],
    ports: (s) => [
      { port: at(s.LANTERN_OTLP_GRPC_PORT), variable: 'LANTERN_OTLP_GRPC_PORT' },
      { port: at(s.LANTERN_OTLP_HTTP_PORT), variable: 'LANTERN_OTLP_HTTP_PORT' },
      { port: at(s.LANTERN_COLLECTOR_HEALTH_PORT), variable: 'LANTERN_COLLECTOR_HEALTH_PORT' },
      {
        port: at(s.LANTERN_COLLECTOR_PROMETHEUS_PORT),
        variable: 'LANTERN_COLLECTOR_PROMETHEUS_PORT',
      },
      { port: at(s.LANTERN_COLLECTOR_METRICS_PORT), variable: 'LANTERN_COLLECTOR_METRICS_PORT' },
    ],
    async obtain(s) {
      const binary = collectorBinary(s.paths);
      if (!existsSync(binary)) await build(s.paths, binary);
    },
    // Before each start: its queue folder, and a gateway's list of sampling Collectors.
    prepare(s) {
      mkdirSync(fileStorage(s, instance), { recursive: true });
      if (instance.tier === 'gateway') ensureRoutes(s);
      return Promise.resolve();
    },
    daemon(s) {
      const credentials = securedCredentials(s);
      if (credentials && instance.tier !== 'single') {
        throw new StackError(
          'the scaled profile has no secured mode yet; start it without --secure (or the default profile with it)',
        );
      }
      const loopback = '127.0.0.1';
      const tierConfig = tierConfigPaths[instance.tier];
      return {
        name: instance.name,
        command: collectorBinary(s.paths),
        args: [
          '--config',
          collectorConfigPath,
          ...(tierConfig ? ['--config', tierConfig] : []),
          // The gateways' live list of sampling Collectors (tools/stack/sampling-router.ts).
          ...(instance.tier === 'gateway' ? ['--config', routesFile(s.paths)] : []),
          ...(credentials ? ['--config', secureCollectorConfigPath] : []),
          ...(s.LANTERN_COLLECTOR_CONFIG ? ['--config', resolve(s.LANTERN_COLLECTOR_CONFIG)] : []),
          `--feature-gates=${COLLECTOR_FEATURE_GATES}`,
        ],
        env: {
          ...goRuntime(),
          LANTERN_OTLP_GRPC_ENDPOINT: `${loopback}:${at(s.LANTERN_OTLP_GRPC_PORT)}`,
          LANTERN_OTLP_HTTP_ENDPOINT: `${loopback}:${at(s.LANTERN_OTLP_HTTP_PORT)}`,
          LANTERN_COLLECTOR_HEALTH_ENDPOINT: `${loopback}:${at(s.LANTERN_COLLECTOR_HEALTH_PORT)}`,
          LANTERN_COLLECTOR_PROMETHEUS_ENDPOINT: `${loopback}:${at(s.LANTERN_COLLECTOR_PROMETHEUS_PORT)}`,
          LANTERN_COLLECTOR_METRICS_HOST: loopback,
          LANTERN_COLLECTOR_METRICS_PORT: String(at(s.LANTERN_COLLECTOR_METRICS_PORT)),
          LANTERN_COLLECTOR_STORAGE_DIR: fileStorage(s, instance),
          LANTERN_ES_URL: endpoints(s).elasticsearch,
          LANTERN_ES_URLS: yamlList(elasticsearchUrls(s)),
          ...(credentials && {
            LANTERN_OTLP_TOKEN_FILE: credentials.otlpTokenFile,
            LANTERN_OTLP_TLS_CERT_FILE: credentials.certificates.collector.certFile,
            LANTERN_OTLP_TLS_KEY_FILE: credentials.certificates.collector.keyFile,
            LANTERN_SCRAPE_TOKEN_FILE: credentials.scrapeTokenFile,
            LANTERN_ES_CA_FILE: credentials.caFile,
            LANTERN_ES_USERNAME: ES_USERS.ingest.username,
            LANTERN_ES_PASSWORD: credentials.ingestPassword,
          }),
        },
        signature: 'lantern-otelcol',
      };
    },
    healthy: (_e, s) => answers(collectorEndpoints(s, instance).collectorHealth),
    describe(_e, s) {
      const own = collectorEndpoints(s, instance);
      const role = { single: '', gateway: 'gateway, ', sampling: 'tail sampling, ' }[instance.tier];
      return `${role}OTLP ${own.otlpHttp} (HTTP), ${own.otlpGrpc} (gRPC); health ${own.collectorHealth}`;
    },
  };
}

export const collector = collectorServer({ name: 'collector', offset: 0, tier: 'single' });
